"""The platform's pages, found by walking Django's URL configuration, and real keys for them.

Shared by the guard walk (tests/core/test_every_url_is_guarded.py: who may open what) and the
browser walk (tests/browser/test_every_page.py: every page accessible and usable on a phone).
Keys are made for a ``World`` (tests/world.py): someone's case, file, draft, message, firm, power,
certificate and consents in the portal; agency A's case, certificate, service, staff, office,
points table, calendar day and data grant in the back office.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.certificates.test_issuing import approve, with_certificate
from tests.factories import ServiceCentreFactory, StaffRoleFactory
from tests.service_centres.desk import serving_clerk
from tests.services import certificate_resource
from tests.world import World
from tongban.cases.models import Case
from tongban.catalogue.models import CertificateType, PointsTable, SearchSynonym
from tongban.catalogue.services import service_version_draft
from tongban.certificates.models import Certificate
from tongban.core.i18n import ShortLocalePrefixPattern
from tongban.core.models import CalendarDay
from tongban.exchange.models import Consent, DataResource
from tongban.forms.models import Upload
from tongban.forms.services import application_start
from tongban.identity.models import Person, ServiceCentre, StaffRole
from tongban.notifications.models import Message
from tongban.reviews.models import Rectification
from tongban.reviews.services import review_submit
from tongban.service_centres.delivery.services import delivery_choose
from tongban.service_centres.models import Appointment, Delivery, Ticket
from tongban.service_centres.services import window_save

#: Names (``namespace:name``) of the pages anyone may open without signing in, and why.
PUBLIC = {
    # operational and machine-readable documents
    "healthz",
    "sitemap",
    "jwks",
    "certificate_jws",
    "certificate_status",
    "certificate_shared",
    "certificate_verify",
    "certificate_context",
    # the JSON API's root, its status and its OpenAPI document (an operation that needs a caller
    # would appear here by name and fail below until it refuses one)
    "api-v1:api-root",
    "api-v1:status",
    "api-v1:openapi-json",
    "api-v1:openapi-view",
    # the public portal: information, the catalogue and its guides, certificate verification
    "portal:home",
    "portal:individuals",
    "portal:firms",
    "portal:international",
    "portal:search",
    "portal:contact",
    "portal:faq",
    "portal:guide",
    "portal:guide_page",
    "portal:privacy",
    "portal:accessibility",
    "portal:agencies",
    "portal:centres",
    "portal:centre",
    "portal:centre_kiosk",
    "portal:centre_display",
    "portal:centre_display_state",
    "portal:services",
    "portal:service",
    "portal:verify_token",
    "portal:verify",
    # public satisfaction figures and statistics (aggregates only) and the anonymous "was this page helpful?"
    "portal:satisfaction",
    "portal:statistics",  # the public statistics (fact tables only, ADR 0043)
    "portal:statistics_chart_by_month",  # its charts (SVG)
    "portal:statistics_chart_by_agency",
    "portal:statistics_chart_by_channel",
    "portal:statistics_chart_once_only",
    "portal:statistics_chart_registrations",
    "portal:statistics_chart_waiting",
    "portal:statistics_chart_satisfaction",
    "portal:helpful",
    # open data: the datasets' page, their files and the DCAT-AP catalogue (docs/open-data.md)
    "opendata:index",
    "opendata:download_csv",
    "opendata:download_json",
    "opendata_catalog",
    # signing in, registering, and the password reset e-mailed to someone signed out
    "portal:login",
    "portal:login_code",
    "portal:login_verify",
    "portal:totp_enrol",
    "portal:logout",
    "portal:register",
    "portal:password_reset",
    "portal:password_reset_done",
    "portal:password_reset_confirm",
    "portal:password_reset_complete",
}
#: Served outside the URL names above and public by nature.
PUBLIC_PATHS = {"robots.txt"}

_SAMPLES = {
    "int": "987654",
    "slug": "made-up-key",
    "str": "MADEUP-0001",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "path": "made/up",
}
_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def concrete(route: str) -> str:
    """A path for a route, with a made-up value for each of its parameters."""
    return _PARAMETER.sub(lambda m: _SAMPLES[m.group(1) or "str"], route)


def walk(patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    """Every route as ``(namespace:name, route)``; the language prefix is given as ``en/``."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            part = "en/" if isinstance(entry.pattern, ShortLocalePrefixPattern) else str(entry.pattern)
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + part, inner)
        else:
            yield f"{namespace}{entry.name}" if entry.name else "", prefix + str(entry.pattern)


def all_routes() -> list[tuple[str, str]]:
    return list(walk(get_resolver().url_patterns))


#: Private portal pages about one object: what a stranger asking for a real one must not get.
#: (Pages without a key show the signed-in person their own things; "apply" is keyed by a public
#: service, which anyone may apply for.)
KEYED = [
    (name, route)
    for name, route in all_routes()
    if name.startswith("portal:")
    and "<" in route
    and name not in PUBLIC
    and name not in ("portal:apply", "portal:centre_ticket")
]

#: Back-office pages about one object (a case, a certificate, a service, an agency and its staff,
#: an office, a centre, a points table, a calendar day, a data grant).
BACKOFFICE_KEYED = [(name, route) for name, route in all_routes() if name.startswith("backoffice:") and "<" in route]


def _certified(world: World) -> None:
    """The world's service issues the test permit (once, whichever set of keys asks first)."""
    if not CertificateType.objects.filter(code="test-permit").exists():
        with_certificate(world)


def _on_paper(world: World) -> None:
    """The world's service hands its result over on paper, so its delivery pages exist."""
    world.version.paper_result = True
    world.version.save(update_fields=["paper_result"])


def portal_keys(world: World) -> dict[str, str]:
    """A real object of someone else's for each kind of key in the portal's paths: the HR
    manager's case and its file, a draft, a message, the firm and her power, the engineer's
    certificate, a person's and the firm's consent."""
    _certified(world)
    _on_paper(world)
    case = approve(world, world.submitted_case())
    certificate = Certificate.objects.get(case_number=case.number)
    draft = application_start(
        person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    grant = certificate_resource(
        type_code="test-permit", owner=world.version.item.agency, consumer=world.version.item.agency, purpose="keys"
    )
    later = timezone.now() + timedelta(days=30)
    consent = Consent.objects.create(
        person=world.engineer,
        consumer=grant.consumer,
        resource=grant.resource,
        purpose="keys",
        given_at=timezone.now(),
        expires_at=later,
    )
    firm_resource = DataResource.objects.create(
        code="firm.keys",
        owner=grant.consumer,
        name_zh="企业",
        name_en="Firm",
        classification="restricted",
        subject_kind="firm",
        provider="internal.certificates",
        fields=[],
    )
    firm_consent = Consent.objects.create(
        firm=world.firm,
        consumer=grant.consumer,
        resource=firm_resource,
        purpose="keys",
        given_at=timezone.now(),
        expires_at=later,
    )
    starts = timezone.now().replace(microsecond=0) + timedelta(days=2)
    appointment = Appointment.objects.create(  # the HR manager's booked appointment (its booking code)
        code="KEYS4747",
        centre=ServiceCentreFactory.create(),
        item=world.version.item,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=15),
        place=0,
        person=world.hr,
        booked_by=world.hr.account,
        created_at=timezone.now(),
    )
    return {
        "case": case.number,
        "code": appointment.code,
        "upload_id": str(Upload.objects.filter(application_id=case.application_id).values_list("pk", flat=True)[0]),
        "public_id": str(draft.public_id),
        "step": "employer",
        "message_id": str(Message.objects.filter(recipient=world.hr.account).values_list("pk", flat=True)[0]),
        "uscc": world.firm.uscc,
        "area": world.power.area,
        "power_id": str(world.power.pk),
        "certificate": certificate.number,
        "consent_id": str(consent.pk),
        "firm_consent": str(firm_consent.pk),
        **_ticket_keys(world),
        **_rating_keys(world, appointment),
    }


def _rating_keys(world: World, booked: Appointment) -> dict[str, str]:
    """A served window visit and an attended appointment of the HR manager's: their rating pages
    are hers alone (the booked appointment and the waiting ticket cannot be rated yet)."""
    served = Ticket.objects.create(
        centre=booked.centre,
        day=timezone.localdate(),
        letter="R",
        number=1,
        source="clerk",
        person=world.hr,
        status="done",
        issued_at=timezone.now(),
        finished_at=timezone.now(),
    )
    attended = Appointment.objects.create(
        code="KEYS4748",
        centre=booked.centre,
        item=booked.item,
        starts_at=booked.starts_at - timedelta(days=3),
        ends_at=booked.ends_at - timedelta(days=3),
        place=0,
        person=world.hr,
        booked_by=booked.booked_by,
        created_at=timezone.now(),
        status="arrived",
    )
    return {"served_ticket_id": str(served.pk), "attended_code": attended.code}


def _ticket_keys(world: World) -> dict[str, str]:
    """The HR manager's queue ticket at a centre (its page is hers alone)."""
    centre = ServiceCentreFactory.create()
    ticket = Ticket.objects.create(
        centre=centre,
        day=timezone.localdate(),
        letter="A",
        number=1,
        source="phone",
        person=world.hr,
        issued_at=timezone.now(),
    )
    return {"centre_code": centre.code, "ticket_id": str(ticket.pk)}


def portal_path(name: str, route: str, keys: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        param = match.group(2)
        if param == "number":
            if name.startswith("backoffice:centre_window"):
                return keys["window"]
            return keys["certificate" if "certificate" in name else "case"]
        if param == "consent_id" and name == "portal:firm_consent_withdraw":
            return keys["firm_consent"]
        if name == "portal:visit_rating":
            return keys["served_ticket_id"]
        if name == "portal:appointment_rating":
            return keys["attended_code"]
        return keys[param]

    return "/" + _PARAMETER.sub(value, route)


def portal_owner(name: str, world: World) -> Person:
    """Who the object behind the page's key belongs to (who may open it)."""
    if name == "portal:firm_certificates":
        return world.hr  # the firm's certificates, for staff with the power they concern
    if "certificate" in name or name == "portal:consent_withdraw":
        return world.engineer  # the holder; the consent is his
    if name.startswith(("portal:firm_consent", "portal:firm_data_use", "portal:firm_verify")) or name in (
        "portal:power_revoke",
        "portal:firm_staff",
    ):
        return world.firm.legal_representative  # the firm's data, staff and powers
    return world.hr  # her case, its file, her draft, her message, the firm's cases in her area


def office_keys(world: World) -> dict[str, str]:
    """A real object of agency A's (the world's) for each kind of key in the back office's paths;
    the service has a draft, so the draft's pages exist; its result is on paper, to be picked up
    at a centre (ADR 0040)."""
    _certified(world)
    _on_paper(world)
    case = approve(world, world.submitted_case())
    centre = ServiceCentreFactory.create()
    window = window_save(centre=centre, number="1", scope="comprehensive", editor=world.actor, actor=world.actor)
    assert world.hr.account is not None
    delivery_choose(
        case=case,
        person=world.hr,
        account=world.hr.account,
        method="pickup",
        centre=centre,
        now=timezone.now(),
        actor=world.actor,
    )
    agency = world.version.item.agency
    service_version_draft(item=world.version.item, editor=world.actor, actor=world.actor)
    grant = certificate_resource(type_code="test-permit", owner=agency, consumer=agency, purpose="office keys")
    draft = application_start(
        person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    CalendarDay.objects.create(day=date(2027, 10, 1), kind="holiday", name_zh="国庆节", name_en="National Day")
    return {
        "case": case.number,
        "post_case": _post_case(world).number,
        "upload_id": str(Upload.objects.filter(application_id=case.application_id).values_list("pk", flat=True)[0]),
        "certificate": Certificate.objects.get(case_number=case.number).number,
        "agency": agency.code,
        "service": world.version.item.code,
        "material_code": "passport",
        "points": PointsTable.objects.create(code="keys-points", name_zh="积分表", name_en="Points").code,
        "role_id": str(world.officer.pk),
        "account_id": str(world.officer.account_id),
        "office_id": str(world.officer.office_id),
        "centre": centre.code,
        "window": window.number,
        "day": "2027-10-01",
        "year": "2027",
        "grant_id": str(grant.pk),
        "synonym_id": str(SearchSynonym.objects.create(term="社保", language="zh", expansions=["社会保险"]).pk),
        "public_id": str(draft.public_id),  # the HR manager's draft, for the clerk serving her at a window
        "step": "employer",
        "rectification_id": str(_rectification(world, case)),
    }


def _post_case(world: World) -> Case:
    """A second case of the HR manager's, filed at a window of a new centre, whose result by post
    the agency marked ready (set directly: the page only needs the state): that centre's clerk
    may post it (ADR 0040, addendum)."""
    case = world.submitted_case()
    centre = ServiceCentreFactory.create()
    Case.objects.filter(pk=case.pk).update(channel="window", entered_at_centre=centre)
    assert world.hr.account is not None
    Delivery.objects.create(
        case=case,
        method="post",
        recipient="MARTIN Lucas",
        address="1 Test Road",
        phone="13800000000",
        status="ready",
        chosen_at=timezone.now(),
        chosen_by=world.hr.account,
        ready_at=timezone.now(),
    )
    return case


def _rectification(world: World, case: Case) -> int:
    """A rectification ticket of agency A: the HR manager's very dissatisfied rating of her case."""
    review = review_submit(
        account=world.hr.account, target=case, level=1, reasons=[], comment="", actor=world.actor, now=timezone.now()
    )
    return Rectification.objects.get(review=review).pk


def office_path(name: str, route: str, keys: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        param = match.group(2)
        if param == "number":
            if name.startswith("backoffice:centre_window"):
                return keys["window"]
            if name == "backoffice:post":
                return keys["post_case"]
            return keys["certificate" if "certificate" in name else "case"]
        if param == "code":
            if "points" in name:
                return keys["points"]
            if "centre" in name:
                return keys["centre"]
            return keys["service" if name.startswith(("backoffice:service", "backoffice:material")) else "agency"]
        return keys[param]

    return "/" + _PARAMETER.sub(value, route)


def office_owner_kind(name: str) -> str:
    """Who at agency A (or the city) may use the page: officers and supervisors work cases and
    certificates ("supervisor"), the agency's administrator runs the agency, its services and its
    data grants ("admin"), city operators run the structure, the calendar, the points tables and the search synonyms
    ("operator"); a clerk serving the HR manager at a window opens her drafts and cases there ("clerk"); a clerk
    of the centre chosen for pickup hands results over ("pickup_clerk"); a clerk of the centre where a case was filed
    posts its result ("post_clerk")."""
    if name.startswith("backoffice:pickup"):
        return "pickup_clerk"
    if name == "backoffice:post":
        return "post_clerk"
    if name.startswith(("backoffice:window", "backoffice:visit")):
        return "clerk"
    if name.startswith(
        ("backoffice:structure", "backoffice:calendar", "backoffice:points", "backoffice:synonym", "backoffice:centre")
    ):
        return "operator"
    if name.startswith(("backoffice:case", "backoffice:certificate", "backoffice:rectification")):
        return "supervisor"
    return "admin"


def pickup_centre() -> ServiceCentre:
    """The centre ``office_keys`` chose for picking up the case's result."""
    centre = Delivery.objects.get(method="pickup").centre
    assert centre is not None
    return centre


def post_centre() -> ServiceCentre | None:
    """The centre where ``office_keys``'s case with a result by post was filed."""
    return Case.objects.get(delivery__method="post").entered_at_centre


def office_owner(name: str, world: World) -> StaffRole:
    """A member of staff who may use the page (``office_owner_kind``)."""
    kind = office_owner_kind(name)
    if kind == "clerk":
        clerk = serving_clerk(world.hr).clerk
        return StaffRole.objects.get(account=clerk)
    if kind == "operator":
        return StaffRoleFactory.create(city_operator=True)
    if kind == "supervisor":
        return world.supervisor
    if kind == "pickup_clerk":
        return StaffRoleFactory.create(clerk=True, service_centre=pickup_centre())
    if kind == "post_clerk":
        return StaffRoleFactory.create(clerk=True, service_centre=post_centre())
    return StaffRoleFactory.create(agency_admin=True, agency=world.version.item.agency)
