"""The calendar tables: seeding from ``chinesecalendar``, operators' rows, the cached loader, warnings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from io import StringIO
from typing import Any

import chinese_calendar  # type: ignore[import-untyped]
import pytest
from chinese_calendar import constants
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import translation

from tongban.audit.models import AuditEvent
from tongban.catalogue.calendar_seed import calendar_seed, package_source
from tongban.core.calendar import (
    clear_calendar_cache,
    get_work_calendar,
    load_work_calendar,
    unknown_years_message,
    unknown_years_warning,
)
from tongban.core.models import CalendarDay, CalendarDayKind, CalendarRevision, CalendarYear
from tongban.core.workdays import WorkCalendar

pytestmark = pytest.mark.django_db

PACKAGE_DAYS = len(constants.holidays) + len(constants.workdays)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    clear_calendar_cache()
    yield
    clear_calendar_cache()


def snapshot() -> tuple[list[Any], list[Any]]:
    days = list(CalendarDay.objects.order_by("day").values_list("day", "kind", "name_zh", "name_en", "source"))
    years = list(CalendarYear.objects.order_by("year").values_list("year", "complete", "source"))
    return days, years


# --- seeding -----------------------------------------------------------------------------------


def test_seed_loads_the_package() -> None:
    report = calendar_seed()
    assert report.days_created == PACKAGE_DAYS == CalendarDay.objects.count()
    assert report.years == list(range(2004, 2027))
    assert list(CalendarYear.objects.filter(complete=True).values_list("year", flat=True)) == report.years
    source = package_source()
    assert source.startswith("chinesecalendar ")
    spring = CalendarDay.objects.get(day=date(2026, 2, 14))
    assert (spring.kind, spring.name_zh, spring.name_en, spring.source) == (
        CalendarDayKind.MAKEUP_WORKDAY,
        "春节",
        "Spring Festival",
        source,
    )
    assert CalendarDay.objects.get(day=date(2026, 10, 1)).name_zh == "国庆节"
    assert set(CalendarDay.objects.values_list("name_zh", flat=True)) <= {
        "元旦",
        "春节",
        "清明节",
        "劳动节",
        "端午节",
        "国庆节",
        "中秋节",
        "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
    }


def test_seed_is_idempotent() -> None:
    calendar_seed()
    before, token = snapshot(), CalendarRevision.current_token()
    report = calendar_seed()
    assert not report.changed
    assert report.days_unchanged == PACKAGE_DAYS
    assert snapshot() == before
    assert CalendarRevision.current_token() == token  # nothing changed, so no process reloads
    assert AuditEvent.objects.filter(action="catalogue.calendar_seeded").count() == 1  # the first seed only


def test_seed_keeps_operator_rows() -> None:
    calendar_seed()
    # An operator corrects a seeded day and adds days for 2027, which the package does not know.
    CalendarDay.objects.filter(day=date(2026, 10, 7)).update(
        kind=CalendarDayKind.MAKEUP_WORKDAY, name_zh="国庆节（更正）", source="operator"
    )
    CalendarDay.objects.create(day=date(2027, 1, 1), kind=CalendarDayKind.HOLIDAY, name_zh="元旦", source="operator")
    CalendarYear.objects.create(year=2027, complete=False, source="operator")
    before = snapshot()
    report = calendar_seed()
    assert snapshot() == before
    assert report.operator_days_kept == 1
    assert report.disagreements == [
        "2026-10-07: operator says makeup_workday (operator), the package says holiday (National Day)"
    ]
    assert not report.changed


def test_seed_leaves_a_year_the_operators_took_over_alone() -> None:
    calendar_seed()
    CalendarYear.objects.filter(year=2026).update(source="operator")
    CalendarDay.objects.filter(day=date(2026, 10, 7)).delete()  # removed on purpose
    report = calendar_seed()
    assert report.operator_years_skipped == [2026]
    assert not CalendarDay.objects.filter(day=date(2026, 10, 7)).exists()
    assert not report.changed


def test_seed_follows_a_package_upgrade_for_seeded_rows_only() -> None:
    calendar_seed()
    CalendarDay.objects.filter(day=date(2026, 10, 6)).update(source="operator")
    holidays = dict(constants.holidays)
    workdays = dict(constants.workdays)
    del holidays[date(2026, 10, 7)]  # the new release corrects a day away
    del holidays[date(2026, 10, 6)]  # ... and one the operators keep
    holidays[date(2026, 5, 5)] = "Dragon Boat Festival"  # ... renames one
    holidays[date(2027, 1, 1)] = "New Year's Day"  # ... and adds a year
    workdays[date(2027, 1, 3)] = "New Year's Day"
    report = calendar_seed(holidays=holidays, workdays=workdays, source="chinesecalendar 9.9.9")
    assert (report.days_created, report.days_updated, report.days_deleted) == (2, 1, 1)
    assert (report.years_created, report.years_updated) == (1, 0)
    assert not CalendarDay.objects.filter(day=date(2026, 10, 7)).exists()
    assert CalendarDay.objects.get(day=date(2026, 10, 6)).source == "operator"
    renamed = CalendarDay.objects.get(day=date(2026, 5, 5))
    assert (renamed.name_zh, renamed.source) == ("端午节", "chinesecalendar 9.9.9")
    assert CalendarYear.objects.get(year=2027).complete
    assert CalendarDay.objects.get(day=date(2026, 5, 4)).source == package_source()  # unchanged rows keep theirs
    # the calendar decides every statutory deadline: the upgrade is in the audit trail, with what it changed
    seeded = AuditEvent.objects.filter(action="catalogue.calendar_seeded").order_by("id")
    assert [event.object_id for event in seeded] == [package_source(), "chinesecalendar 9.9.9"]
    upgrade = seeded.last()
    assert upgrade is not None and upgrade.actor_kind == "system"
    assert upgrade.data == {
        "years": [2004, 2027],
        "days_created": 2,
        "days_updated": ["2026-05-05"],
        "days_deleted": ["2026-10-07"],
        "years_created": [2027],
        "years_completed": [],
    }


def test_seed_refuses_a_source_that_would_look_like_an_operator_row() -> None:
    with pytest.raises(ValueError, match="chinesecalendar"):
        calendar_seed(source="operator")


def test_dry_run_writes_nothing() -> None:
    report = calendar_seed(dry_run=True)
    assert report.days_created == PACKAGE_DAYS
    assert CalendarDay.objects.count() == 0 and CalendarYear.objects.count() == 0
    assert CalendarRevision.current_token() == ""
    assert not AuditEvent.objects.exists()


def test_command_reports_and_can_run_twice() -> None:
    out = StringIO()
    call_command("calendar_seed", stdout=out)
    assert f"{PACKAGE_DAYS} days created" in out.getvalue()
    assert "2004–2026" in out.getvalue()
    out = StringIO()
    call_command("calendar_seed", stdout=out)
    assert "0 days created, 0 updated, 0 deleted" in out.getvalue()


# --- model rules -------------------------------------------------------------------------------


def test_makeup_workday_must_be_on_a_weekend() -> None:
    row = CalendarDay(day=date(2027, 2, 10), kind=CalendarDayKind.MAKEUP_WORKDAY, name_zh="春节")
    with pytest.raises(ValidationError) as excinfo:
        row.full_clean()
    assert excinfo.value.error_dict["kind"][0].code == "makeup_on_weekday"
    CalendarDay(day=date(2027, 2, 7), kind=CalendarDayKind.MAKEUP_WORKDAY, name_zh="春节").full_clean()


def test_database_refuses_an_unknown_kind() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarDay.objects.create(day=date(2027, 2, 10), kind="half_day", name_zh="x")


# --- loading and caching -----------------------------------------------------------------------


def test_loader_builds_the_package_calendar() -> None:
    calendar_seed()
    calendar = get_work_calendar()
    assert calendar.known_years == frozenset(range(2004, 2027))
    day = date(2025, 1, 1)
    while day <= date(2026, 12, 31):
        assert calendar.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)
    assert calendar.unknown_years(date(2026, 12, 1), date(2027, 1, 31)) == [2027]


def test_an_empty_table_gives_the_fallback_calendar() -> None:
    calendar = get_work_calendar()
    assert calendar.known_years == frozenset()
    assert not calendar.is_workday(date(2026, 10, 2))  # fixed-date fallback
    assert calendar.is_workday(date(2026, 10, 7))  # lunar and extra days unknown


def test_cached_calendar_costs_one_query(django_assert_num_queries) -> None:
    calendar_seed()
    with django_assert_num_queries(3):  # token, days, complete years
        first = get_work_calendar()
    with django_assert_num_queries(1):  # token only
        second = get_work_calendar()
    assert second is first


def test_changes_through_the_model_reload_the_calendar() -> None:
    calendar_seed()
    calendar = get_work_calendar()
    assert calendar.is_workday(date(2026, 12, 31))
    token = CalendarRevision.current_token()
    row = CalendarDay.objects.create(day=date(2026, 12, 31), kind=CalendarDayKind.HOLIDAY, name_zh="测试")
    assert CalendarRevision.current_token() != token
    assert not get_work_calendar().is_workday(date(2026, 12, 31))
    row.delete()
    assert get_work_calendar().is_workday(date(2026, 12, 31))
    year = CalendarYear.objects.create(year=2027, complete=False)
    assert 2027 not in get_work_calendar().known_years
    year.complete = True
    year.save()
    assert 2027 in get_work_calendar().known_years


def test_a_change_made_elsewhere_is_seen_through_the_token() -> None:
    calendar_seed()
    assert get_work_calendar().is_workday(date(2026, 12, 31))
    # Another process changes the table with a bulk write and renews the token, as calendar_seed does.
    CalendarDay.objects.bulk_create(
        [CalendarDay(day=date(2026, 12, 31), kind=CalendarDayKind.HOLIDAY, name_zh="测试", source="operator")]
    )
    CalendarRevision.bump()
    assert not get_work_calendar().is_workday(date(2026, 12, 31))


def test_a_rolled_back_change_is_not_kept_in_the_cache() -> None:
    calendar_seed()
    assert get_work_calendar().is_workday(date(2026, 12, 31))

    def change_then_fail() -> None:
        with transaction.atomic():
            CalendarDay.objects.create(day=date(2026, 12, 31), kind=CalendarDayKind.HOLIDAY, name_zh="测试")
            assert not get_work_calendar().is_workday(date(2026, 12, 31))  # cached with the new token
            raise RuntimeError("roll back")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert get_work_calendar().is_workday(date(2026, 12, 31))  # token rolled back too: reloaded


def test_load_bypasses_the_cache() -> None:
    assert isinstance(load_work_calendar(), WorkCalendar)


# --- warnings ----------------------------------------------------------------------------------


def test_unknown_years_warning() -> None:
    calendar_seed()
    with translation.override("en"):
        assert unknown_years_warning(date(2026, 1, 1), date(2026, 12, 31)) is None
        message = unknown_years_warning(date(2026, 12, 1), date(2027, 3, 1))
        assert message is not None
        assert "2027" in message and "2026" not in message
        assert "1 January, 1–2 May and 1–3 October" in message
        assert "that year" in message
        several = unknown_years_message([2028, 2027, 2027])
        assert several is not None and "2027, 2028" in several and "those years" in several
    assert unknown_years_message([]) is None
