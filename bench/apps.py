"""The bench Django app: the tiny table the baseline views insert into and read from."""

from __future__ import annotations

from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "bench"
    label = "bench"
    verbose_name = "Benchmark"
    default_auto_field = "django.db.models.BigAutoField"
