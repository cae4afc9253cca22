"""Django app configuration for identity."""

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "tongban.identity"
    label = "identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        from tongban.identity import signals  # noqa: F401  (login events into the audit trail)
