"""Django app configuration for the demo data set."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "tongban.demo"
    label = "demo"
    verbose_name = "Demo city"
