"""Data providers: one contract, a registry, one module per kind of provider."""
