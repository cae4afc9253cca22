"""Cross-agency data exchange: data resources, grants, consent, providers, the access log."""
