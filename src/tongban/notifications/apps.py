"""Django app configuration for notifications."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tongban.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from datetime import timedelta

        from django.conf import settings

        from tongban.core import personal_data, rq, schedule
        from tongban.notifications import checks  # noqa: F401  (registers the system checks)
        from tongban.notifications.personal_data import inbox_section
        from tongban.notifications.tasks import deliver, sweep_deliveries

        personal_data.register("inbox", inbox_section)
        schedule.register(schedule.Job(name="notifications.sweep", task=sweep_deliveries, every=timedelta(minutes=1)))
        # On RQ: a short job timeout and an explicit Retry, so a send whose worker died runs again (ADR 0050).
        rq.register(
            deliver,
            lambda: rq.JobPolicy(timeout=settings.NOTIFY_JOB_TIMEOUT_SECONDS, retries=settings.NOTIFY_JOB_RETRIES),
        )
