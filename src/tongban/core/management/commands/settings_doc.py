"""Print every environment variable Tongban reads, with its type, default and help text."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tongban.conf.env import REGISTRY


class Command(BaseCommand):
    help = "List the environment variables that configure Tongban."

    def handle(self, *args: Any, **options: Any) -> None:
        for var in sorted(REGISTRY.values(), key=lambda v: v.name):
            self.stdout.write(f"{var.name} ({var.type_name}, default {var.default!r})\n    {var.help_text}")
