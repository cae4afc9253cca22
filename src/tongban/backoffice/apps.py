"""Django app configuration for the back office."""

from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "tongban.backoffice"
    label = "backoffice"
    verbose_name = "Back office"
