"""Django app configuration for forms."""

from django.apps import AppConfig


class FormsConfig(AppConfig):
    name = "tongban.forms"
    label = "forms"
    verbose_name = "Forms"

    def ready(self) -> None:
        from tongban.forms import services  # noqa: F401  (connects the version_drafted receiver)
