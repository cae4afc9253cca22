"""Django app configuration for the shared kernel."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tongban.core"
    label = "core"
    verbose_name = "Tongban core"

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from tongban.core import (
            checks,  # noqa: F401  (registers system checks)
            retention,
        )
        from tongban.core.validators import guard_text_fields

        # The character policy and CharField caps under every model's save (ADR 0027).
        pre_save.connect(guard_text_fields, dispatch_uid="tongban.core.guard_text_fields")
        retention.register_defaults()  # the daily retention job and the scheduler's own rule

        from django.apps import apps

        if apps.is_installed("django_rq"):  # the RQ task backend: requeue a dead worker's jobs (ADR 0050)
            from datetime import timedelta

            from tongban.core import rq, schedule

            schedule.register(
                schedule.Job(name="tasks.requeue_abandoned", task=rq.requeue_abandoned, every=timedelta(minutes=1))
            )
