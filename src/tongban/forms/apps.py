"""Django app configuration for forms."""

from django.apps import AppConfig


class FormsConfig(AppConfig):
    name = "tongban.forms"
    label = "forms"
    verbose_name = "Forms"
