"""Django app configuration for reviews (好差评): registers the escalation job."""

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "tongban.reviews"
    label = "reviews"
    verbose_name = "Reviews"

    def ready(self) -> None:
        from datetime import timedelta

        from tongban.core import schedule
        from tongban.reviews.tasks import escalate_overdue

        schedule.register(schedule.Job(name="reviews.escalate", task=escalate_overdue, every=timedelta(minutes=15)))
