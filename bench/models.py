"""Bench-only tables: the baseline views' one-row table, and what the generator made."""

from __future__ import annotations

from django.db import models


class BaselineRow(models.Model):
    """The row the bare baseline views insert (POST) and read by primary key (GET)."""

    value = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    # Named for the type checker: the test settings, which mypy's Django plugin reads, do not
    # install the bench app.
    objects: models.Manager[BaselineRow] = models.Manager()

    def __str__(self) -> str:
        return f"{self.pk}: {self.value}"


class BenchMeta(models.Model):
    """Facts about the generated data set (sizes, ids of the applicants, the big firm), written
    by ``bench.generate`` and read by ``bench.run``."""

    key = models.CharField(max_length=40, primary_key=True)
    value = models.JSONField()

    def __str__(self) -> str:
        return self.key
