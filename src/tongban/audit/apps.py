"""Django app configuration for the audit trail."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tongban.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from tongban.audit import streams
        from tongban.audit.models import AuditEvent

        streams.register(AuditEvent)
