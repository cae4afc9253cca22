"""Django app configuration for catalogue."""

from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "tongban.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from tongban.catalogue import receivers
        from tongban.identity.signals import agency_renamed

        agency_renamed.connect(receivers.agency_renamed, dispatch_uid="catalogue.agency_renamed")
