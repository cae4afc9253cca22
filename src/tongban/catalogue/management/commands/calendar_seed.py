"""``manage.py calendar_seed``: seed public holidays and make-up working days from the
``chinesecalendar`` package (``catalogue.calendar_seed``; idempotent, keeps operators' rows)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tongban.catalogue.calendar_seed import calendar_seed


class Command(BaseCommand):
    help = (
        "Seed public holidays and make-up working days from the chinesecalendar package. "
        "Safe to run again; never overwrites operators' rows or years."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = calendar_seed(dry_run=options["dry_run"])
        prefix = "Would seed" if options["dry_run"] else "Seeded"
        span = f"{report.years[0]}–{report.years[-1]}" if report.years else "no years"
        self.stdout.write(
            f"{prefix} from {report.source} ({span}): {report.days_created} days created, "
            f"{report.days_updated} updated, {report.days_deleted} deleted, {report.days_unchanged} unchanged; "
            f"{report.years_created} years added, {report.years_updated} marked complete; "
            f"{report.operator_days_kept} operator days kept."
        )
        if report.operator_years_skipped:
            years = ", ".join(str(year) for year in report.operator_years_skipped)
            self.stdout.write(f"Years kept as the operators entered them: {years}.")
        for sentence in report.disagreements:
            self.stdout.write(self.style.WARNING(f"Kept operator row, check it: {sentence}"))
        if report.years:
            self.stdout.write(
                f"The package knows the years up to {report.years[-1]}; enter later years from the State Council's "
                "holiday schedule as it is published (source 'operator') and mark them complete."
            )
