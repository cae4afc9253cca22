"""Django app configuration for notifications."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tongban.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from tongban.core import personal_data
        from tongban.notifications.personal_data import inbox_section

        personal_data.register("inbox", inbox_section)
