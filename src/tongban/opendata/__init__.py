"""Open data: the platform's public datasets as CSV and JSON files with their metadata, and a
DCAT-AP catalogue of them that open-data portals harvest (ADR 0044, docs/open-data.md)."""
