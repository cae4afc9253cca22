"""Django app configuration for statistics: registers the fact tables' catch-up job."""

from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "tongban.statistics"
    label = "statistics"
    verbose_name = "Statistics"

    def ready(self) -> None:
        from datetime import timedelta

        from tongban.core import schedule
        from tongban.statistics.tasks import catch_up

        schedule.register(schedule.Job(name="statistics.catch_up", task=catch_up, every=timedelta(minutes=3)))
