"""Django app configuration for the public portal."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "tongban.portal"
    label = "portal"
    verbose_name = "Portal"
