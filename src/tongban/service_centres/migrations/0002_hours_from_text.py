"""Turn each centre's free-text opening hours into weekly rows (the text is dropped next)."""

from typing import Any

from django.db import migrations

from tongban.service_centres.hours_text import week_from_text


def forwards(apps: Any, schema_editor: Any) -> None:
    centres = apps.get_model("identity", "ServiceCentre")
    hours = apps.get_model("service_centres", "OpeningHours")
    hours.objects.bulk_create(
        hours(centre_id=centre.pk, weekday=weekday, start=start, end=end)
        for centre in centres.objects.only("pk", "hours_en")
        for weekday, start, end in week_from_text(centre.hours_en)
    )


class Migration(migrations.Migration):
    dependencies = [("service_centres", "0001_centres_hours_windows")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
