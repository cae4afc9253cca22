"""The versioned JSON API (django-ninja) and its OpenAPI document."""
