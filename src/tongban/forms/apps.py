"""Django app configuration for forms."""

from django.apps import AppConfig


class FormsConfig(AppConfig):
    name = "tongban.forms"
    label = "forms"
    verbose_name = "Forms"

    def ready(self) -> None:
        from tongban.core import personal_data, retention
        from tongban.forms import services  # noqa: F401  (connects the version_drafted receiver)
        from tongban.forms.personal_data import drafts_section
        from tongban.forms.retention import abandoned_drafts

        personal_data.register("drafts", drafts_section)
        retention.register("abandoned_drafts", abandoned_drafts, "Drafts untouched for long, with their uploads.")
