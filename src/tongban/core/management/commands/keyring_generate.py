"""Create the local signing-key ring and data-key ring if missing, or rotate them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from tongban.core.crypto import get_data_keyring, write_data_keys_file
from tongban.core.keyring import get_keyring, write_keyring_file


class Command(BaseCommand):
    help = (
        "Create the signing-key ring and the data-key ring files if missing; --rotate adds a new active "
        "signing key, --rotate-data a new active data key, --rotate-lookup a new active lookup key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rotate", action="store_true", help="Add a new active signing key; keep the old ones.")
        parser.add_argument(
            "--rotate-data", action="store_true", help="Add a new active data key per cipher; keep the old ones."
        )
        parser.add_argument(
            "--rotate-lookup", action="store_true", help="Add a new active lookup key per HMAC; keep the old ones."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.SIGNING_KEYS_JSON:
            self.stdout.write("SIGNING_KEYS_JSON is set; the key ring comes from there, nothing to do.")
        else:
            path = Path(settings.SIGNING_KEYS_FILE)
            kid, written = write_keyring_file(path, rotate=options["rotate"])
            get_keyring.cache_clear()
            verb = "Wrote" if written else "Kept"
            self.stdout.write(f"{verb} signing keys at {path}; active key id {kid}")
        if settings.DATA_KEYS_JSON:
            self.stdout.write("DATA_KEYS_JSON is set; the data keys come from there, nothing to do.")
            return
        data_path = Path(settings.DATA_KEYS_FILE)
        written = write_data_keys_file(data_path, rotate=options["rotate_data"], rotate_lookup=options["rotate_lookup"])
        get_data_keyring.cache_clear()
        ring = get_data_keyring()
        verb = "Wrote" if written else "Kept"
        self.stdout.write(
            f"{verb} data keys at {data_path}; active {settings.DATA_CIPHER} key id {ring.active_key().kid}, "
            f"lookup key id {ring.active_lookup_key().kid}"
        )
