"""Django app configuration for identity."""

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "tongban.identity"
    label = "identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        from tongban.core import personal_data, retention
        from tongban.identity import personal_data as exports
        from tongban.identity import signals  # noqa: F401  (login events into the audit trail)
        from tongban.identity.retention import expired_sessions

        personal_data.register("person", exports.person_section)
        personal_data.register("firms_and_powers", exports.firms_section)
        retention.register("sessions", expired_sessions, "Login sessions that expired.")
