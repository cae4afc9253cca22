"""Statistics: pre-aggregated fact tables filled by a catch-up, the public figures read from them."""
