"""Django app configuration for open data: registers the built-in datasets."""

from django.apps import AppConfig


class OpenDataConfig(AppConfig):
    name = "tongban.opendata"
    label = "opendata"
    verbose_name = "Open data"

    def ready(self) -> None:
        from tongban.opendata import datasets, registry, statistics_datasets

        for dataset in [*datasets.builtin(), *statistics_datasets.datasets()]:
            registry.register(dataset)
