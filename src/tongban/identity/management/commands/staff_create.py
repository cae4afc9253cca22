"""``manage.py staff_create``: open a staff account from the server's command line.

This is how a fresh deployment gets its first city operator, who then adds everyone else in the
back office (agency pages, "Add a staff member")::

    manage.py staff_create --username ops.li --name 李明 --email li.ming@city.gov.cn --city-operator
    manage.py staff_create --username wang.hr --name 王红 --email wang.hong@hrss.gov.cn \\
        --agency hrss --role officer --office 3

It goes through the same service as the back office (``staff_member_add``), recorded with the
system actor "manage.py staff_create": a random, discarded password, the role, the audit events,
and an e-mail with the one-hour link to choose the password. The link is also printed (built on
``PUBLIC_BASE_URL``), for a deployment whose outgoing mail is not working yet.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils import translation

from tongban.core.actors import Actor
from tongban.core.clock import now
from tongban.core.errors import DomainError
from tongban.identity.emails import password_link
from tongban.identity.models import AGENCY_ROLES, Agency, AgencyOffice, StaffRoleKind
from tongban.identity.services import staff_member_add

ACTOR_LABEL = "manage.py staff_create"
#: The option that gave each field the service may refuse.
OPTIONS = {
    "username": "--username",
    "display_name": "--name",
    "email": "--email",
    "preferred_language": "--language",
    "role": "--role",
    "office": "--office",
}


class Command(BaseCommand):
    help = (
        "Create a staff account (a city operator, or a role in one agency) and print the one-hour link "
        "to choose its password; the link is also e-mailed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True, help="User name to log in with (e.g. ops.li).")
        parser.add_argument("--name", required=True, help="The person's name as shown to colleagues.")
        parser.add_argument(
            "--email", required=True, help="E-mail address; the link to choose the password goes there."
        )
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="Language of the e-mails and of the link (default: %(default)s).",
        )
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--city-operator", action="store_true", help="A city operator (the whole city).")
        scope.add_argument("--agency", metavar="CODE", help="The code of the agency the role is in.")
        parser.add_argument(
            "--role", choices=[role.value for role in AGENCY_ROLES], help="The role in the agency (with --agency)."
        )
        parser.add_argument("--office", type=int, metavar="ID", help="The office an officer works in (its id).")

    def handle(self, *args: Any, **options: Any) -> None:
        agency: Agency | None = None
        office: AgencyOffice | None = None
        if options["city_operator"]:
            if options["role"] or options["office"]:
                raise CommandError("--city-operator takes neither --role nor --office.")
            role = StaffRoleKind.CITY_OPERATOR.value
        else:
            if not options["role"]:
                raise CommandError("--agency needs --role (officer, supervisor or agency_admin).")
            role = options["role"]
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"No agency has the code {options['agency']!r}.")
            if options["office"] is not None:
                office = AgencyOffice.objects.filter(pk=options["office"], agency=agency).first()
                if office is None:
                    raise CommandError(f"Agency {agency.code} has no office with id {options['office']}.")
            elif role == StaffRoleKind.OFFICER:
                offices = ", ".join(f"{o.pk} ({o.name_en})" for o in AgencyOffice.objects.filter(agency=agency))
                raise CommandError(f"An officer works in one office; give --office, one of: {offices or 'none'}.")
        try:
            account = staff_member_add(
                username=options["username"],
                display_name=options["name"],
                email=options["email"],
                preferred_language=options["language"],
                role=role,
                agency=agency,
                office=office,
                granted_by=None,
                actor=Actor.system(ACTOR_LABEL),
                now=now(),
            )
        except ValidationError as exc:
            problems = [
                f"{OPTIONS.get(field, field)}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
            ]
            raise CommandError("\n".join(problems)) from None
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        base = settings.PUBLIC_BASE_URL.rstrip("/")
        with translation.override(account.preferred_language):
            login = f"{base}{reverse('portal:login')}"
        where = "city operator" if agency is None else f"{role} in {agency.code}"
        self.stdout.write(f"Created staff account {account.username} ({where}).")
        self.stdout.write(f"Link to choose the password (valid for one hour; also e-mailed to {account.email}):")
        self.stdout.write(password_link(account=account, public_base_url=base))
        self.stdout.write(f"Then log in at {login} and set up an authenticator app at the first login.")
