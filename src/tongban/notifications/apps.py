"""Django app configuration for notifications."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tongban.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from datetime import timedelta

        from tongban.core import personal_data, schedule
        from tongban.notifications.personal_data import inbox_section
        from tongban.notifications.tasks import sweep_deliveries

        personal_data.register("inbox", inbox_section)
        schedule.register(schedule.Job(name="notifications.sweep", task=sweep_deliveries, every=timedelta(minutes=1)))
