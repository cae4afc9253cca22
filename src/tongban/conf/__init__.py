"""Settings for Tongban: typed, documented environment variables (12-factor)."""
