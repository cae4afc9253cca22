"""Django app configuration for certificates."""

from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "tongban.certificates"
    label = "certificates"
    verbose_name = "Certificates"

    def ready(self) -> None:
        from datetime import time

        from django.conf import settings

        from tongban.certificates.personal_data import certificates_section
        from tongban.certificates.reminders import expiry_reminders_job
        from tongban.core import personal_data, schedule

        personal_data.register("certificates", certificates_section)
        schedule.register(
            schedule.Job(
                name="certificates.expiring",
                task=expiry_reminders_job,
                daily_at=time.fromisoformat(settings.REMINDERS_DAILY_AT),
            )
        )
