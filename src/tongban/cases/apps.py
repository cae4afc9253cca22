"""Django app configuration for cases."""

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tongban.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from datetime import time

        from django.conf import settings

        from tongban.cases.personal_data import cases_section
        from tongban.cases.reminders import reminders_job
        from tongban.cases.retention import closed_case_materials
        from tongban.core import personal_data, retention, schedule

        personal_data.register("cases", cases_section)
        retention.register("closed_case_materials", closed_case_materials, "Uploaded files of long-closed cases.")
        schedule.register(
            schedule.Job(
                name="cases.reminders", task=reminders_job, daily_at=time.fromisoformat(settings.REMINDERS_DAILY_AT)
            )
        )
