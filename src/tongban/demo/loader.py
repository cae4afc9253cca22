"""Load the demo city through the services (so the audit trail shows how it came to be).

Idempotent: every object is looked up by its natural key first; a second run changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.cn import ric, uscc

from tongban.core.actors import Actor
from tongban.core.clock import now
from tongban.demo import data, exchange_data, flows
from tongban.demo.catalogue_loader import load_catalogue
from tongban.demo.centres import load_centres_offline
from tongban.identity.models import (
    Account,
    Agency,
    AgencyOffice,
    Firm,
    OfficeLevel,
    Person,
    ServiceCentre,
    StaffRole,
    VerificationLevel,
)
from tongban.identity.selectors import active_powers
from tongban.identity.services import (
    agency_create,
    centre_create,
    firm_register,
    office_create,
    person_register,
    person_verify_in_person,
    power_grant,
    staff_account_create,
    staff_role_grant,
)

LOADER = Actor.system("demo-loader")


def resident_id(seventeen: str) -> str:
    return seventeen + ric.calc_check_digit(seventeen + "0")


def firm_uscc() -> str:
    return data.FIRM_USCC_BASE + uscc.calc_check_digit(data.FIRM_USCC_BASE)


@dataclass
class Login:
    username: str
    who: str
    totp_uri: str = ""


def _person(item: data.PersonData) -> Person:
    existing = Person.objects.filter(account__username=item.username).first()
    if existing:
        return existing
    number = resident_id(item.id_number) if item.id_type == "resident_id" else item.id_number
    return person_register(
        username=item.username,
        password=data.DEMO_PASSWORD,
        email=item.email,
        id_type=item.id_type,
        id_number=number,
        nationality=item.nationality,
        name=item.name,
        latin_name=item.latin_name,
        preferred_language="en" if item.id_type == "passport" else "zh-hans",
        actor=LOADER,
    )


def _structure() -> None:
    """Agencies, their city and district offices, and the service centres, through the same
    services a city operator uses (so each has its audit event), each only if still missing."""
    for item in data.AGENCIES:
        agency = Agency.objects.filter(code=item.code).first() or agency_create(
            **vars(item), editor=LOADER, actor=LOADER
        )
        if not AgencyOffice.objects.filter(agency=agency, district_code="").exists():
            office_create(
                agency=agency,
                level=OfficeLevel.CITY,
                district_code="",
                name_zh=f"{agency.name_zh}（市级）",
                name_en=f"{agency.name_en} (city)",
                editor=LOADER,
                actor=LOADER,
            )
        for district in data.DISTRICT_OFFICES.get(agency.code, ()):
            if AgencyOffice.objects.filter(agency=agency, district_code=district).exists():
                continue
            zh, en = data.DISTRICTS[district]
            office_create(
                agency=agency,
                level=OfficeLevel.DISTRICT,
                district_code=district,
                name_zh=f"{agency.name_zh}{zh}分局",
                name_en=f"{agency.name_en}, {en} District",
                editor=LOADER,
                actor=LOADER,
            )
    for centre in data.CENTRES:
        if not ServiceCentre.objects.filter(code=centre.code).exists():
            centre_create(**vars(centre), editor=LOADER, actor=LOADER)


@transaction.atomic
def load() -> list[Login]:
    moment = now()
    _structure()

    people = {item.username: _person(item) for item in data.PEOPLE}

    firm = Firm.objects.filter(uscc=firm_uscc()).first()
    if firm is None:
        firm = firm_register(
            uscc=firm_uscc(),
            name_zh=data.FIRM_NAME_ZH,
            name_en=data.FIRM_NAME_EN,
            firm_type="foreign_invested",
            legal_representative=people[data.LEGAL_REP.username],
            verification_level=VerificationLevel.REGISTRY_VERIFIED,
            actor=LOADER,
        )
    hr = people[data.HR_MANAGER.username]
    for area in data.HR_POWERS:
        if not active_powers(moment).filter(firm=firm, grantee=hr, area=area).exists():
            power_grant(
                firm=firm,
                grantee=hr,
                area=area,
                expires_at=moment + timedelta(days=365),
                granted_by=people[data.LEGAL_REP.username],
                actor=LOADER,
                now=moment,
            )

    logins = [Login(item.username, item.description_en) for item in data.PEOPLE]
    for staff in data.STAFF:
        account = Account.objects.filter(username=staff.username).first()
        if account is None:
            account = staff_account_create(
                username=staff.username,
                display_name=staff.display_name,
                email=f"{staff.username}@gov.example",
                password=data.DEMO_PASSWORD,
                actor=LOADER,
            )
        if not StaffRole.objects.filter(account=account, role=staff.role, revoked_at__isnull=True).exists():
            staff_role_grant(
                account=account,
                role=staff.role,
                agency=Agency.objects.get(code=staff.agency) if staff.agency else None,
                office=(
                    AgencyOffice.objects.get(agency__code=staff.agency, district_code=staff.district)
                    if staff.role == "officer"
                    else None
                ),
                service_centre=ServiceCentre.objects.get(code=staff.centre) if staff.centre else None,
                granted_by=None,
                actor=LOADER,
                now=moment,
            )
        device = TOTPDevice.objects.filter(user=account, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=account, name="demo authenticator", confirmed=True)
        scope = staff.agency or staff.centre or "city"
        logins.append(Login(staff.username, f"{staff.role} ({scope})", device.config_url))

    load_catalogue(now=moment)
    load_centres_offline()

    operator = Account.objects.get(username="operator.city")
    resources = exchange_data.load_resources()
    exchange_data.load_grants(
        resources=resources,
        operator=operator,
        actor=Actor(kind="account", account_id=operator.pk, label=operator.username),
        now=moment,
    )

    # The engineer showed his passport at the city centre: certificates go to verified persons only.
    _verify_at_the_window(people[data.ENGINEER.username], "passport (original)")
    flows.work_permit(firm=firm, hr=hr, now=moment)
    flows.annual_report(firm=firm, now=moment)
    exchange_data.load_registries(people=people, firm=firm, since=moment.date())
    flows.residence_permit(firm=firm, hr=hr, now=moment)

    # The legal representative went to the city centre once: a clerk checked his ID card there.
    _verify_at_the_window(people[data.LEGAL_REP.username], "resident identity card (original)")
    return logins


def _verify_at_the_window(person: Person, document: str) -> None:
    """A clerk of the city centre checked ``person``'s original document (once)."""
    person.refresh_from_db()
    if person.verification_level < VerificationLevel.IN_PERSON_VERIFIED:
        clerk = Account.objects.get(username="clerk.citycentre")
        person_verify_in_person(
            person=person,
            clerk=clerk,
            document=document,
            actor=Actor(kind="account", account_id=clerk.pk, label=clerk.username),
        )
