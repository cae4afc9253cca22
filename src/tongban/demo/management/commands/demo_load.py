"""Load the demo city (idempotent), count it for the public statistics (the catch-up the scheduler
runs every few minutes, at once), and print its logins, with staff TOTP seeds."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from tongban.demo.data import DEMO_PASSWORD
from tongban.demo.flows import WORK_PERMIT_NUMBER
from tongban.demo.loader import load
from tongban.statistics.services import facts_catch_up


class Command(BaseCommand):
    help = "Load the demo city (safe to run again) and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = load()
        facts_catch_up(now=timezone.now())  # the statistics page shows the demo city at once
        self.stdout.write(self.style.SUCCESS("Demo city ready. Every demo account's password: " + DEMO_PASSWORD))
        for login in logins:
            self.stdout.write(f"  {login.username:<20} {login.who}")
            if login.totp_uri:
                self.stdout.write(f"  {'':<20} TOTP: {login.totp_uri}")
        self.stdout.write("Staff log in with a TOTP code: `make totp USER=officer.science` prints the current one.")
        self.stdout.write(
            f"The demo work permit, verifiable by anyone: {settings.PUBLIC_BASE_URL.rstrip('/')}/verify/{WORK_PERMIT_NUMBER}"
        )
