"""Create the local signing-key ring if it is missing, or rotate it with ``--rotate``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from tongban.core.keyring import get_keyring, write_keyring_file


class Command(BaseCommand):
    help = "Create the signing-key ring file if missing; --rotate adds a new active key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rotate", action="store_true", help="Add a new active key; keep the old ones.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.SIGNING_KEYS_JSON:
            self.stdout.write("SIGNING_KEYS_JSON is set; the key ring comes from there, nothing to do.")
            return
        path = Path(settings.SIGNING_KEYS_FILE)
        kid, written = write_keyring_file(path, rotate=options["rotate"])
        get_keyring.cache_clear()
        verb = "Wrote" if written else "Kept"
        self.stdout.write(f"{verb} signing keys at {path}; active key id {kid}")
