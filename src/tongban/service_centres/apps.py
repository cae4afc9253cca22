"""Django app configuration for service centres (opening hours, closures, windows)."""

from django.apps import AppConfig


class ServiceCentresConfig(AppConfig):
    name = "tongban.service_centres"
    label = "service_centres"
    verbose_name = "Service centres"
