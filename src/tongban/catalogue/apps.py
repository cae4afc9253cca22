"""Django app configuration for catalogue."""

from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "tongban.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue"
