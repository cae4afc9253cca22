"""Seed public holidays and make-up working days from the ``chinesecalendar`` package (idempotent).

Every year the package lists (2004 to 2026 in version 1.11.0) is written as ``CalendarDay`` rows
plus a complete ``CalendarYear``, with ``source`` "chinesecalendar <version>". Running it again
changes nothing; after a package upgrade it adds the new years and brings seeded rows in line
with the package (creating, correcting and deleting *seeded* rows only). Operators' work is kept:

* a day whose ``source`` is anything but "chinesecalendar …" (e.g. "operator") is never changed,
  even where the package disagrees (the disagreement is printed);
* a year whose ``CalendarYear.source`` is not the package's belongs to the operators: the seed adds,
  changes and deletes nothing in it. Take a year over that way to remove a seeded day for good.

All changes happen in one transaction that also renews the calendar's revision token, so every
process reloads its cached calendar, and writes the audit entry (``catalogue.calendar_seeded``:
the package's version, the years, how many days were created, and which were changed or deleted),
since the calendar decides every statutory deadline. ``manage.py calendar_seed`` runs it.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from chinese_calendar import constants  # type: ignore[import-untyped]
from django.db import transaction

from tongban.audit.services import audit_record
from tongban.core.actors import Actor
from tongban.core.models import (
    SOURCE_PACKAGE_PREFIX,
    CalendarDay,
    CalendarDayKind,
    CalendarRevision,
    CalendarYear,
    is_seeded_source,
)

#: Chinese names of the package's holiday names (``chinese_calendar.Holiday`` values).
HOLIDAY_NAMES_ZH: dict[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


@dataclass
class SeedReport:
    """What one seeding run did (or, in a dry run, would do)."""

    source: str
    years: list[int] = field(default_factory=list)
    days_created: int = 0
    days_updated: int = 0
    days_deleted: int = 0
    days_unchanged: int = 0
    operator_days_kept: int = 0
    years_created: int = 0
    years_updated: int = 0
    operator_years_skipped: list[int] = field(default_factory=list)
    #: Operator rows that the package disagrees with, as sentences.
    disagreements: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.days_created or self.days_updated or self.days_deleted or self.years_created or self.years_updated
        )


def package_source() -> str:
    """The ``source`` value of rows written from the installed package, e.g. "chinesecalendar 1.11.0"."""
    return f"{SOURCE_PACKAGE_PREFIX} {importlib.metadata.version('chinesecalendar')}"


def _wanted_days(holidays: Mapping[date, str], workdays: Mapping[date, str]) -> dict[date, tuple[str, str, str]]:
    overlap = set(holidays) & set(workdays)
    if overlap:
        raise ValueError(f"The package lists days as both holiday and working day: {sorted(overlap)}")
    wanted: dict[date, tuple[str, str, str]] = {}
    for kind, days in ((CalendarDayKind.HOLIDAY, holidays), (CalendarDayKind.MAKEUP_WORKDAY, workdays)):
        for day, name in days.items():
            name_en = str(name)
            wanted[day] = (str(kind), HOLIDAY_NAMES_ZH.get(name_en, name_en), name_en)
    return wanted


def calendar_seed(
    *,
    holidays: Mapping[date, str] | None = None,
    workdays: Mapping[date, str] | None = None,
    source: str | None = None,
    dry_run: bool = False,
) -> SeedReport:
    """Bring the calendar tables in line with the package's data (defaults: the installed package).

    ``holidays`` and ``workdays`` map dates to English holiday names as
    ``chinese_calendar.constants`` does; tests pass their own to simulate a package upgrade.
    """
    holidays = constants.holidays if holidays is None else holidays
    workdays = constants.workdays if workdays is None else workdays
    source = package_source() if source is None else source
    if not is_seeded_source(source):
        raise ValueError(f"A seed source must start with {SOURCE_PACKAGE_PREFIX!r}, got {source!r}")
    wanted = _wanted_days(holidays, workdays)
    years = sorted({day.year for day in wanted})
    report = SeedReport(source=source, years=years)
    if not years:
        return report

    with transaction.atomic():
        year_rows = {row.year: row for row in CalendarYear.objects.select_for_update().filter(year__in=years)}
        operator_years = {year for year, row in year_rows.items() if not is_seeded_source(row.source)}
        report.operator_years_skipped = sorted(operator_years)
        existing = {
            row.day: row
            for row in CalendarDay.objects.select_for_update().filter(
                day__gte=date(years[0], 1, 1), day__lte=date(years[-1], 12, 31)
            )
        }

        to_create: list[CalendarDay] = []
        to_update: list[CalendarDay] = []
        for day, (kind, name_zh, name_en) in sorted(wanted.items()):
            if day.year in operator_years:
                continue
            row = existing.get(day)
            if row is None:
                to_create.append(CalendarDay(day=day, kind=kind, name_zh=name_zh, name_en=name_en, source=source))
            elif not is_seeded_source(row.source):
                report.operator_days_kept += 1
                if row.kind != kind:
                    report.disagreements.append(
                        f"{day.isoformat()}: operator says {row.kind} ({row.source}), the package says {kind} ({name_en})"
                    )
            elif (row.kind, row.name_zh, row.name_en) != (kind, name_zh, name_en):
                row.kind, row.name_zh, row.name_en, row.source = kind, name_zh, name_en, source
                to_update.append(row)
            else:
                report.days_unchanged += 1
        to_delete = [
            day
            for day, row in existing.items()
            if day.year in years
            and day.year not in operator_years
            and day not in wanted
            and is_seeded_source(row.source)
        ]

        years_to_create: list[CalendarYear] = []
        years_to_update: list[CalendarYear] = []
        for year in years:
            if year in operator_years:
                continue
            year_row = year_rows.get(year)
            if year_row is None:
                years_to_create.append(CalendarYear(year=year, complete=True, source=source))
            elif not year_row.complete:
                year_row.complete, year_row.source = True, source
                years_to_update.append(year_row)

        report.days_created, report.days_updated, report.days_deleted = len(to_create), len(to_update), len(to_delete)
        report.years_created, report.years_updated = len(years_to_create), len(years_to_update)
        if dry_run or not report.changed:
            return report

        CalendarDay.objects.bulk_create(to_create)
        CalendarDay.objects.bulk_update(to_update, ["kind", "name_zh", "name_en", "source"])
        CalendarDay.objects.filter(day__in=to_delete).delete()
        CalendarYear.objects.bulk_create(years_to_create)
        CalendarYear.objects.bulk_update(years_to_update, ["complete", "source"])
        # bulk_create and bulk_update send no signals: renew the token once, in this transaction.
        CalendarRevision.bump()
        audit_record(
            action="catalogue.calendar_seeded",
            actor=Actor.system("calendar_seed"),
            object_type="calendar",
            object_id=source,
            data={
                "years": [years[0], years[-1]],
                "days_created": report.days_created,
                "days_updated": sorted(row.day.isoformat() for row in to_update),
                "days_deleted": sorted(day.isoformat() for day in to_delete),
                "years_created": sorted(row.year for row in years_to_create),
                "years_completed": sorted(row.year for row in years_to_update),
            },
        )
    return report
