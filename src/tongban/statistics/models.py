"""Statistics data: the catch-up's watermarks, what it counted for each re-derived row, and the
fact tables (ADR 0043, docs/statistics.md).

Every fact table is a set of small additive counters keyed by its dimensions (a unique
constraint over all of them): the catch-up adds to them with ``INSERT … ON CONFLICT DO UPDATE
SET n = n + excluded.n``, in the same transaction that moves its watermark, so a batch counts
once or not at all. Dimensions are plain integers and strings, never foreign keys and never NULL
(0 and "" stand for "none"): a fact outlives the rows it counted, and NULLs would not collide
in the unique key. ``month`` is the first day of the month in the city's time zone.

The case, completion and material facts also hold roll-up rows (``definitions.ROLLED_UP``):
``item_id = 0`` is an agency's total, ``agency_id = 0, item_id = 0`` the city's; a reader picks
one level (``selectors.Filters``) and never adds levels together.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class Watermark(models.Model):
    """How far the catch-up has read one source table (by id): everything up to ``last_id`` has
    been counted except the ``gaps`` — ids skipped because their row was not yet committed (a
    concurrent transaction holds them) — which it looks at again until they appear or are given
    up as rolled back (``[low, high, first seen as ISO time]`` ranges)."""

    stream = models.CharField(max_length=32, primary_key=True)
    last_id = models.BigIntegerField(default=0)
    gaps = models.JSONField(default=list, blank=True)
    rows = models.BigIntegerField(default=0, help_text="Source rows counted so far.")
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.stream} @ {self.last_id}"


class Counted(models.Model):
    """What the catch-up counted for one mutable source row (a person, a firm, a review, a
    ticket): the fact rows it added to. When the row changes, the catch-up takes these back and
    adds the new ones, so an edit moves a count instead of adding another."""

    kind = models.CharField(max_length=12)
    object_id = models.BigIntegerField()
    facts = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="statistics_counted_once")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class Fact(models.Model):
    """Base of the fact tables: ``DIMENSIONS`` form the unique key, ``COUNTERS`` are added to."""

    DIMENSIONS: ClassVar[tuple[str, ...]]
    COUNTERS: ClassVar[tuple[str, ...]] = ("n",)

    month = models.DateField()
    n = models.BigIntegerField(default=0)

    class Meta:
        abstract = True

    def label(self) -> str:
        """The row's dimensions and counters, for the admin and the shell."""
        dims = " ".join(str(getattr(self, name)) for name in self.DIMENSIONS)
        return f"{dims}: " + " ".join(f"{name}={getattr(self, name)}" for name in self.COUNTERS)


class PartyFact(Fact):
    """Registered persons (with an account) and firms by kind, type and verification level,
    by the month they were recorded."""

    DIMENSIONS = ("month", "kind", "subtype", "level")

    kind = models.CharField(max_length=8)  # person | firm
    subtype = models.CharField(max_length=32)  # a person's id_type, a firm's firm_type
    level = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "kind", "subtype", "level"], name="stat_party_key")]

    def __str__(self) -> str:
        return self.label()


class CatalogueFact(Fact):
    """The service items offered (published) per agency, and how many fully online, as they
    stood in the month (the current month is replaced on every catch-up; past months stay)."""

    DIMENSIONS = ("month", "agency_id")
    COUNTERS = ("n", "fully_online")

    agency_id = models.BigIntegerField()
    fully_online = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "agency_id"], name="stat_catalogue_key")]

    def __str__(self) -> str:
        return self.label()


class CaseFact(Fact):
    """Cases by the month they were submitted, service, agency, channel and current status."""

    DIMENSIONS = ("month", "agency_id", "item_id", "channel", "status")

    agency_id = models.BigIntegerField()
    item_id = models.BigIntegerField()
    channel = models.CharField(max_length=16)
    status = models.CharField(max_length=24)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "agency_id", "item_id", "channel", "status"], name="stat_case_key")
        ]
        indexes = [models.Index(fields=["item_id", "agency_id", "month"], name="stat_case_rollup")]

    def __str__(self) -> str:
        return self.label()


class CompletionFact(Fact):
    """Cases completed (decided, or closed at once) by the month of completion: a histogram by
    processing working days, in-person visits before completion (0, 1, 2 = two or more) and
    timing against the statutory limit (1 on time, 0 late, 2 no limit)."""

    DIMENSIONS = ("month", "agency_id", "item_id", "channel", "workdays", "visits", "timing")

    agency_id = models.BigIntegerField()
    item_id = models.BigIntegerField()
    channel = models.CharField(max_length=16)
    workdays = models.IntegerField()
    visits = models.PositiveSmallIntegerField()
    timing = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "agency_id", "item_id", "channel", "workdays", "visits", "timing"],
                name="stat_completion_key",
            )
        ]
        indexes = [models.Index(fields=["item_id", "agency_id", "month"], name="stat_completion_rollup")]

    def __str__(self) -> str:
        return self.label()


class MaterialFact(Fact):
    """Materials of submitted cases by how they were provided (``certificate``: not asked for
    again, 免交 — the government held it), by the month of submission."""

    DIMENSIONS = ("month", "agency_id", "item_id", "source")

    agency_id = models.BigIntegerField()
    item_id = models.BigIntegerField()
    source = models.CharField(max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "agency_id", "item_id", "source"], name="stat_material_key")
        ]
        indexes = [models.Index(fields=["item_id", "agency_id", "month"], name="stat_material_rollup")]

    def __str__(self) -> str:
        return self.label()


class ExchangeFact(Fact):
    """Reads through the data exchange by resource and outcome (the access log)."""

    DIMENSIONS = ("month", "resource", "outcome")

    resource = models.CharField(max_length=60)
    outcome = models.CharField(max_length=16)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "resource", "outcome"], name="stat_exchange_key")]

    def __str__(self) -> str:
        return self.label()


class ReviewFact(Fact):
    """Ratings by the month given, agency, service, centre, channel and level; with the
    rectification tickets they opened and how many were answered on time."""

    DIMENSIONS = ("month", "agency_id", "item_id", "centre_id", "channel", "level")
    COUNTERS = ("n", "tickets", "on_time")

    agency_id = models.BigIntegerField()
    item_id = models.BigIntegerField()
    centre_id = models.BigIntegerField()
    channel = models.CharField(max_length=12)
    level = models.PositiveSmallIntegerField()
    tickets = models.BigIntegerField(default=0)
    on_time = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "agency_id", "item_id", "centre_id", "channel", "level"], name="stat_review_key"
            )
        ]

    def __str__(self) -> str:
        return self.label()


class WaitFact(Fact):
    """Queue tickets called, by centre and minutes waited from issue to the first call (a
    histogram; 240 stands for four hours or more)."""

    DIMENSIONS = ("month", "centre_id", "minutes")

    centre_id = models.BigIntegerField()
    minutes = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "centre_id", "minutes"], name="stat_wait_key")]

    def __str__(self) -> str:
        return self.label()


#: Every fact table, by the short name the catch-up and the recount use.
FACT_TABLES: dict[str, type[Fact]] = {
    "party": PartyFact,
    "catalogue": CatalogueFact,
    "case": CaseFact,
    "completion": CompletionFact,
    "material": MaterialFact,
    "exchange": ExchangeFact,
    "review": ReviewFact,
    "wait": WaitFact,
}
