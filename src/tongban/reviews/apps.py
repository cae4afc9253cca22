"""Django app configuration for reviews (好差评): registers the escalation job and the daily reminders."""

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "tongban.reviews"
    label = "reviews"
    verbose_name = "Reviews"

    def ready(self) -> None:
        from datetime import time, timedelta

        from django.conf import settings

        from tongban.core import schedule
        from tongban.reviews.reminders import reminders_job
        from tongban.reviews.tasks import escalate_overdue

        schedule.register(schedule.Job(name="reviews.escalate", task=escalate_overdue, every=timedelta(minutes=15)))
        schedule.register(
            schedule.Job(
                name="reviews.reminders", task=reminders_job, daily_at=time.fromisoformat(settings.REMINDERS_DAILY_AT)
            )
        )
