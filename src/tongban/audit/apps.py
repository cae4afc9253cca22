"""Django app configuration for the audit trail."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tongban.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from tongban.audit import streams
        from tongban.audit.models import AuditEvent
        from tongban.audit.pruning import retention_rule
        from tongban.core import retention

        streams.register(AuditEvent)
        retention.register(
            "audit_segments", retention_rule(AuditEvent.STREAM), "Whole checkpointed segments of the audit trail."
        )
