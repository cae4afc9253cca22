"""Certificates issued before the issuing office was recorded (certificates 0003) get it from the
case that produced them, with the four-eyes rule of that case's service version: without it only
the agency's supervisors could revoke them, and never under four eyes.

A backfill of provenance that the case history already records, not a change of the certificate's
state: no audit event. One UPDATE per column with a correlated subquery, so it scales with the
table; certificates without a case (seeded, imported) keep an empty office.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def backfill_issuing_office(apps, schema_editor):  # type: ignore[no-untyped-def]
    Certificate = apps.get_model("certificates", "Certificate")
    Case = apps.get_model("cases", "Case")
    orphans = Certificate.objects.filter(office__isnull=True).exclude(case_number="")
    case = Case.objects.filter(number=OuterRef("case_number"))
    orphans.update(
        # A case number that matches no case leaves the office empty and four eyes off.
        four_eyes=Coalesce(Subquery(case.values("version__four_eyes")[:1]), Value(False)),
        office_id=Subquery(case.values("office_id")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_fk_indexes_led_by_composites"),
        ("certificates", "0003_issuing_office_and_four_eyes_revocation"),
    ]

    operations = [migrations.RunPython(backfill_issuing_office, migrations.RunPython.noop, elidable=True)]
