"""Django app configuration for service centres (opening hours, closures, windows, appointments):
registers the appointments' periodic jobs (day-before reminders, no-show marking) and their part
of the personal-data export."""

from datetime import time, timedelta

from django.apps import AppConfig
from django.conf import settings


class ServiceCentresConfig(AppConfig):
    name = "tongban.service_centres"
    label = "service_centres"
    verbose_name = "Service centres"

    def ready(self) -> None:
        from tongban.core import personal_data, schedule
        from tongban.service_centres.appointments import no_show_job, reminders_job
        from tongban.service_centres.personal_data import appointments_section

        schedule.register(
            schedule.Job(
                name="appointment_reminders",
                task=reminders_job,
                daily_at=time.fromisoformat(settings.APPOINTMENT_REMINDERS_AT),
            )
        )
        schedule.register(schedule.Job(name="appointment_no_shows", task=no_show_job, every=timedelta(hours=1)))
        personal_data.register("appointments", appointments_section)
