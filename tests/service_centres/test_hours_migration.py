"""The migration that replaced the centres' free-text hours: readable text becomes its rows,
anything else the default week with a lunch break; the text columns are gone afterwards."""

from __future__ import annotations

from datetime import time

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("identity", "0007_person_unique_digests"), ("service_centres", "0001_centres_hours_windows")]
AFTER = [("identity", "0008_centre_hours_structured"), ("service_centres", "0002_hours_from_text")]


@pytest.mark.django_db(transaction=True)
def test_free_text_hours_become_rows_and_the_text_is_dropped() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        centre = old.get_model("identity", "ServiceCentre")
        common = {"address_zh": "路1号", "address_en": "1 Road"}
        centre.objects.create(
            code="read", name_zh="甲", name_en="A", hours_en="Mon–Fri 9:00–17:00, Sat 9:00–12:00", **common
        )
        centre.objects.create(code="unread", name_zh="乙", name_en="B", hours_en="By appointment only", **common)

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        hours = new.get_model("service_centres", "OpeningHours")
        rows = {
            code: sorted(hours.objects.filter(centre__code=code).values_list("weekday", "start", "end"))
            for code in ("read", "unread")
        }
        assert rows["read"] == [*((day, time(9), time(17)) for day in range(5)), (5, time(9), time(12))]
        assert rows["unread"] == [
            (day, start, end) for day in range(5) for start, end in ((time(9), time(12)), (time(13, 30), time(17)))
        ]
        columns = {
            column.name
            for column in connection.introspection.get_table_description(connection.cursor(), "identity_servicecentre")
        }
        assert "hours_en" not in columns and "hours_zh" not in columns
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
