"""Certificates issued on approval (in the same transaction), verified by an independent
implementation, shown to the public without its fields, revoked by the issuing agency, kept
in the holder's wallet and reused instead of uploads (once-only)."""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Callable
from datetime import timedelta

import jwt
import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from tests.factories import PersonFactory, PowerFactory, StaffRoleFactory
from tests.services import LAYOUT, SCHEMA, certificate_resource, make_service
from tests.world import World
from tongban.audit.models import AuditEvent
from tongban.cases.models import Case, CaseMaterial
from tongban.cases.services import case_act, case_submit
from tongban.catalogue.models import CertificateType
from tongban.certificates import jose
from tongban.certificates import services as certificate_services
from tongban.certificates.models import Certificate
from tongban.certificates.services import (
    certificate_revocation_confirm,
    certificate_revoke,
    read_share_token,
    share_token,
)
from tongban.core.errors import PermissionDeniedError
from tongban.core.keyring import KeyRing, KeyRingError, new_private_jwk
from tongban.exchange.models import AccessLogEntry
from tongban.forms.services import application_save_step, application_start
from tongban.identity.models import Account

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]

TYPE_FIELDS = [
    {"name": "category", "label": {"zh": "类别", "en": "Category"}, "source": "data.education", "public": True},
    {
        "name": "passport",
        "label": {"zh": "护照号码", "en": "Passport number"},
        "source": "holder.id_number",
        "public": False,
    },
    {"name": "employer", "label": {"zh": "工作单位", "en": "Employer"}, "source": "firm.name", "public": True},
]


def with_certificate(world: World) -> CertificateType:
    certificate_type = CertificateType.objects.create(
        code="test-permit",
        name_zh="测试许可证",
        name_en="Test Permit",
        holder="person_concerned",
        validity_months=24,
        number_prefix="TP",
        fields=TYPE_FIELDS,
    )
    world.version.certificate_type = certificate_type
    world.version.save(update_fields=["certificate_type"])
    return certificate_type


def granted(world: World, purpose: str) -> None:
    """The residence-permit agency may read the work permit for ``purpose`` through the exchange."""
    agency = world.version.item.agency
    certificate_resource(type_code="test-permit", owner=agency, consumer=agency, purpose=purpose)


def approve(world: World, case: Case) -> Case:
    for who, action in (
        ("officer", "accept"),
        ("officer", "start_review"),
        ("officer", "propose_approval"),
        ("supervisor", "approve"),
    ):
        case.refresh_from_db()
        account = world.officer.account if who == "officer" else world.supervisor.account
        case = case_act(
            case=case,
            action=action,
            expected_version=case.lock_version,
            account=account,
            actor=world.actor,
            now=timezone.now(),
        )
    return case


def test_approval_issues_a_signed_certificate_to_the_person_concerned(client: Client, world: World) -> None:
    with_certificate(world)
    case = approve(world, world.submitted_case())
    certificate = Certificate.objects.get(case_number=case.number)
    assert certificate.holder_person == world.engineer and certificate.applicant_firm == world.firm
    assert certificate.number.startswith("TP") and certificate.valid_until - certificate.valid_from >= timedelta(
        days=729
    )
    assert (certificate.fields["category"], certificate.fields["employer"]) == ("master", world.firm.name_zh)
    assert (
        certificate.fields["passport"].endswith(world.engineer.id_number[-4:]) and "*" in certificate.fields["passport"]
    )
    assert AuditEvent.objects.filter(action="certificates.issued", object_id=certificate.number).exists()
    # An independent implementation (PyJWT) verifies it with the published keys.
    jwks = client.get("/.well-known/jwks.json").json()
    header = jwt.get_unverified_header(certificate.jws)
    key = jwt.PyJWKSet.from_dict(jwks)[header["kid"]]
    claims = jwt.decode(certificate.jws, key=key, algorithms=["EdDSA"], options={"verify_aud": False})
    # The public JWS carries what the verification page shows: no fields, no identifier of the
    # person, no case number (issue 15); the holder's credential keeps it all.
    assert claims["jti"] == certificate.number and claims["sub"] == f"urn:tongban:certificate:{certificate.number}"
    assert claims["fields"] == {} and claims["holder"] == certificate.holder_name_en
    public = json.dumps(claims)
    assert str(world.engineer.public_id) not in public and case.number not in public and "passport" not in public
    assert certificate.subject == f"urn:tongban:person:{world.engineer.public_id}"  # kept for the credential
    credential = jwt.decode(
        certificate.credential, key=key, algorithms=["EdDSA"], options={"verify_aud": False, "verify_exp": False}
    )
    assert (
        credential["credentialSubject"]["passport"] == certificate.fields["passport"]
    )  # the holder's credential has all
    assert credential["credentialSubject"]["id"] == certificate.subject
    assert client.get(f"/verify/{certificate.number}.jws").content.decode() == certificate.jws


def test_decision_and_certificate_commit_together(world: World) -> None:
    with_certificate(world)
    case = world.submitted_case()
    for action in ("accept", "start_review", "propose_approval"):
        case.refresh_from_db()
        case = case_act(
            case=case,
            action=action,
            expected_version=case.lock_version,
            account=world.officer.account,
            actor=world.actor,
            now=timezone.now(),
        )
    with override_settings(SIGNING_KEYS_JSON='{"keys": []}'), pytest.raises(KeyRingError):  # no key to sign with
        case_act(
            case=case,
            action="approve",
            expected_version=case.lock_version,
            account=world.supervisor.account,
            actor=world.actor,
            now=timezone.now(),
        )
    case.refresh_from_db()
    assert case.status == "awaiting_approval"  # the decision was rolled back with the failed certificate
    assert not Certificate.objects.exists()


def test_public_verification_page(client: Client, world: World) -> None:
    with_certificate(world)
    case = approve(world, world.submitted_case())
    number = Certificate.objects.get(case_number=case.number).number
    english = client.get(f"/verify/{number}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Valid" in english and "Test Permit" in english
    # what a verifier needs: holder, type, validity, issuer; no other field, even one the type
    # marks public (issue 15), until the holder shares a link
    certificate = Certificate.objects.get(number=number)
    assert certificate.holder_name_en in english and certificate.agency.name_en in english
    assert "master" not in english and "Category" not in english and "Employer" not in english
    assert world.engineer.id_number not in english and "Passport number" not in english
    chinese = client.get(f"/verify/{number}", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="zh-Hans">' in chinese and "测试许可证" in chinese
    assert f'href="/en/verify/{number}"' in chinese  # the language switch keeps the page
    assert client.get(f"/en/verify/{number}/").status_code == 200
    assert client.get("/verify/XX2026NOTREAL1").status_code == 404
    assert client.get(f"/verify/{number}.json").json()["status"] == "valid"


def test_revocation_by_the_issuing_office_shows_at_once(
    client: Client, world: World, login_staff: Callable[[Client, Account], None]
) -> None:
    with_certificate(world)
    case = approve(world, world.submitted_case())
    certificate = Certificate.objects.get(case_number=case.number)
    outsider = StaffRoleFactory()
    with pytest.raises(PermissionDeniedError):
        certificate_revoke(
            certificate=certificate,
            account=outsider.account,
            reason="x",
            reason_code="issued_in_error",
            actor=world.actor,
            now=timezone.now(),
        )
    login_staff(client, world.supervisor.account)
    # opening it shows the holder and every field: who read which certificate is recorded
    assert client.get(f"/en/backoffice/certificates/{certificate.number}/").status_code == 200
    opened = AuditEvent.objects.get(action="certificates.certificate_opened", object_id=certificate.number)
    assert opened.actor_id == world.supervisor.account_id and opened.data == {"account": world.supervisor.account_id}
    assert client.post(f"/en/backoffice/certificates/{certificate.number}/").status_code == 405
    # issued under four eyes: the officer of the office proposes, the supervisor confirms
    officer = Client()
    login_staff(officer, world.officer.account)
    revoke_url = f"/en/backoffice/certificates/{certificate.number}/revoke/"
    posted = {"reason": "Employment ended", "reason_code": "conditions_not_met"}
    assert officer.post(revoke_url, posted).status_code == 302
    assert client.post(revoke_url, {"intent": "confirm"}).status_code == 302
    page = Client().get(f"/verify/{certificate.number}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Revoked" in page and "The conditions for it are no longer met" in page
    assert "Employment ended" not in page
    assert Client().get(f"/verify/{certificate.number}.json").json()["status"] == "revoked"
    assert AuditEvent.objects.filter(action="certificates.revoked", object_id=certificate.number).exists()


def revoke_under_four_eyes(world: World, certificate: Certificate) -> None:
    """The office's officer proposes, the agency's supervisor confirms."""
    certificate_revoke(
        certificate=certificate,
        account=world.officer.account,
        reason="Left",
        reason_code="conditions_not_met",
        actor=world.actor,
        now=timezone.now(),
    )
    certificate_revocation_confirm(
        certificate=certificate, account=world.supervisor.account, actor=world.actor, now=timezone.now()
    )


def test_pasted_tampered_jws_is_rejected_with_a_reason(client: Client, world: World) -> None:
    with_certificate(world)
    certificate = Certificate.objects.get(case_number=approve(world, world.submitted_case()).number)
    header, payload, signature = certificate.jws.split(".")
    tampered = f"{header}.{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{signature}"
    bad = client.post("/en/verify/", {"jws": tampered}).content.decode()
    assert "Not valid" in bad
    good = client.post("/en/verify/", {"jws": certificate.jws}).content.decode()
    assert "The signature is valid." in good and certificate.number in good


def test_wallets_and_downloads(client: Client, world: World, login_person: Login) -> None:
    with_certificate(world)
    certificate = Certificate.objects.get(case_number=approve(world, world.submitted_case()).number)
    login_person(client, world.engineer.account)
    assert certificate.number in client.get("/en/my/certificates/").content.decode()
    pdf = client.get(f"/en/my/certificates/{certificate.number}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True).stdout.decode()
    assert f"/verify/{certificate.number}" in text and "测试许可证" in text
    credential = client.get(f"/en/my/certificates/{certificate.number}/credential/")
    assert credential["Content-Type"] == "application/vc+jwt" and credential.content.decode() == certificate.credential
    hr = Client()
    login_person(hr, world.hr.account)  # staff with the foreign-staff power of the applicant firm
    assert certificate.number in hr.get(f"/en/my/firms/{world.firm.uscc}/certificates/").content.decode()
    assert hr.get(f"/en/my/certificates/{certificate.number}/").status_code == 200
    other_staff = PowerFactory(firm=world.firm, area="tax").grantee
    tax = Client()
    login_person(tax, other_staff.account)
    assert certificate.number not in tax.get(f"/en/my/firms/{world.firm.uscc}/certificates/").content.decode()
    assert tax.get(f"/en/my/certificates/{certificate.number}/pdf/").status_code == 404
    stranger = Client()
    login_person(stranger, PersonFactory().account)
    for url in (f"/en/my/certificates/{certificate.number}/", f"/en/my/certificates/{certificate.number}/credential/"):
        assert stranger.get(url).status_code == 404


def test_share_link_shows_all_fields_until_it_expires(client: Client, world: World, login_person: Login) -> None:
    with_certificate(world)
    certificate = Certificate.objects.get(case_number=approve(world, world.submitted_case()).number)
    login_person(client, world.engineer.account)
    client.post(f"/en/my/certificates/{certificate.number}/share/", {"days": "7"})
    page = client.get(f"/en/my/certificates/{certificate.number}/").content.decode()
    assert "/verify/s/" in page  # the holder sees the link once
    token = share_token(certificate=certificate, days=7, now=timezone.now())
    shared = Client().get(f"/verify/s/{token}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Passport number" in shared and "shared this link" in shared
    old = share_token(certificate=certificate, days=1, now=timezone.now() - timedelta(days=2))
    assert read_share_token(old, now=timezone.now()) is None
    assert Client().get(f"/verify/s/{old}").status_code == 410
    assert AuditEvent.objects.filter(action="certificates.shared").exists()


def test_once_only_the_held_certificate_replaces_the_upload(client: Client, world: World, login_person: Login) -> None:
    certificate_type = with_certificate(world)
    work_permit = Certificate.objects.get(case_number=approve(world, world.submitted_case()).number)
    schema = copy.deepcopy(SCHEMA)
    schema["properties"]["permit_number"] = {"type": "string", "maxLength": 24}
    layout = copy.deepcopy(LAYOUT)
    layout["steps"][1]["fields"].append("permit_number")
    layout["fields"]["permit_number"] = {
        "label": {"zh": "工作许可证号", "en": "Work permit number"},
        "prefill": "certificate.test-permit.number",
        "authoritative": True,
    }
    granted(world, "residence")
    residence = make_service(
        code="residence",
        agency=world.version.item.agency,
        schema=schema,
        layout=layout,
        materials=[
            {"code": "passport", "name_zh": "护照", "name_en": "Passport", "required": True},
            {
                "code": "permit",
                "name_zh": "工作许可",
                "name_en": "Work permit",
                "required": True,
                "certificate_type": certificate_type,
            },
        ],
    )
    application = application_start(
        person=world.hr, version=residence, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    world.fill(application)  # uploads the passport only; names the engineer as the person concerned
    application.refresh_from_db()
    assert application.data["permit_number"] == work_permit.number  # prefilled from the held certificate
    assert application.sources["permit_number"] == "certificate.test-permit.number"
    login_person(client, world.hr.account)
    page = client.get(f"/en/applications/{application.public_id}/materials/").content.decode()
    assert "Held by the government — you need not upload it." in page and work_permit.number in page
    # The applicant cannot change an authoritative value that came from the certificate.
    posted = {name: str(application.data.get(name, "")) for name in layout["steps"][1]["fields"]}
    application_save_step(
        application=application,
        step_key="employee",
        posted={**posted, "permit_number": "FORGED"},
        person=world.hr,
        now=timezone.now(),
    )
    application.refresh_from_db()
    assert application.data["permit_number"] == work_permit.number
    case = case_submit(application=application, person=world.hr, actor=world.actor, now=timezone.now())
    sources = dict(CaseMaterial.objects.filter(case=case).values_list("material_code", "source"))
    assert sources == {"passport": "upload", "permit": "certificate"}
    assert CaseMaterial.objects.get(case=case, material_code="permit").certificate_number == work_permit.number
    assert AuditEvent.objects.filter(action="forms.certificate_reused", data__certificate=work_permit.number).exists()


def test_a_revoked_certificate_no_longer_replaces_the_upload(world: World) -> None:
    certificate_type = with_certificate(world)
    work_permit = Certificate.objects.get(case_number=approve(world, world.submitted_case()).number)
    revoke_under_four_eyes(world, work_permit)
    granted(world, "residence2")
    residence = make_service(
        code="residence2",
        agency=world.version.item.agency,
        materials=[
            {
                "code": "permit",
                "name_zh": "工作许可",
                "name_en": "Work permit",
                "required": True,
                "certificate_type": certificate_type,
            },
        ],
    )
    application = application_start(
        person=world.hr, version=residence, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    world.fill(application, skip_upload=True)
    with pytest.raises(ValidationError) as excinfo:
        case_submit(application=application, person=world.hr, actor=world.actor, now=timezone.now())
    assert "material_permit" in excinfo.value.message_dict


def test_guide_counts_the_materials_the_government_provides(client: Client, world: World) -> None:
    certificate_type = with_certificate(world)
    make_service(
        code="guide-count",
        agency=world.version.item.agency,
        materials=[
            {"code": "passport", "name_zh": "护照", "name_en": "Passport", "required": True},
            {
                "code": "permit",
                "name_zh": "工作许可",
                "name_en": "Work permit",
                "required": True,
                "certificate_type": certificate_type,
            },
        ],
    )
    html = client.get("/en/services/guide-count/").content.decode()
    assert "The government may already hold 1 of these 2 materials." in html


def test_officer_sees_the_reused_certificate_as_verified_and_operators_see_the_statistics(
    client: Client, world: World, login_staff: Callable[[Client, Account], None]
) -> None:
    certificate_type = with_certificate(world)
    work_permit = Certificate.objects.get(case_number=approve(world, world.submitted_case()).number)
    granted(world, "residence3")
    residence = make_service(
        code="residence3",
        agency=world.version.item.agency,
        materials=[
            {"code": "passport", "name_zh": "护照", "name_en": "Passport", "required": True},
            {
                "code": "permit",
                "name_zh": "工作许可",
                "name_en": "Work permit",
                "required": True,
                "certificate_type": certificate_type,
            },
        ],
    )
    application = application_start(
        person=world.hr, version=residence, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    world.fill(application)
    case = case_submit(application=application, person=world.hr, actor=world.actor, now=timezone.now())
    login_staff(client, world.officer.account)
    page = client.get(f"/en/backoffice/cases/{case.number}/").content.decode()
    assert "Verified e-certificate" in page and work_permit.number in page and "(Valid)" in page
    operator = Client()
    login_staff(operator, StaffRoleFactory(city_operator=True).account)
    stats = operator.get("/en/backoffice/statistics/once-only/")
    rows = {(r["case__item__code"], r["material_code"]): (r["reused"], r["uploaded"]) for r in stats.context["rows"]}
    assert rows[("residence3", "permit")] == (1, 0) and rows[("residence3", "passport")] == (0, 1)
    assert client.get("/en/backoffice/statistics/once-only/").status_code == 403  # officers do not


def test_expired_and_foreign_key_certificates_on_the_verify_pages(client: Client, world: World) -> None:
    with_certificate(world)
    certificate = Certificate.objects.get(case_number=approve(world, world.submitted_case()).number)
    Certificate.objects.filter(pk=certificate.pk).update(valid_until=timezone.now() - timedelta(days=1))
    page = client.get(f"/verify/{certificate.number}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Expired" in page and "It expired on" in page
    stranger = KeyRing.from_jwks({"keys": [new_private_jwk()]})
    forged = jose.sign_jws({"jti": certificate.number, "iss": "http://127.0.0.1:8000"}, keyring=stranger)
    answer = client.post("/en/verify/", {"jws": forged}).content.decode()
    assert "Not valid" in answer and "not among the published signing keys" in answer


def test_without_a_grant_for_the_purpose_the_certificate_is_not_read_and_the_refusal_is_logged(world: World) -> None:
    certificate_type = with_certificate(world)
    Certificate.objects.get(case_number=approve(world, world.submitted_case()).number)
    granted(world, "residence")  # granted for another service: the purpose does not match
    residence = make_service(
        code="residence4",
        agency=world.version.item.agency,
        materials=[
            {
                "code": "permit",
                "name_zh": "工作许可",
                "name_en": "Work permit",
                "required": True,
                "certificate_type": certificate_type,
            },
        ],
    )
    application = application_start(
        person=world.hr, version=residence, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    world.fill(application, skip_upload=True)
    with pytest.raises(ValidationError) as excinfo:  # no grant: the work permit cannot stand in for the upload
        case_submit(application=application, person=world.hr, actor=world.actor, now=timezone.now())
    assert "material_permit" in excinfo.value.message_dict
    entry = AccessLogEntry.objects.filter(resource="certificate.test-permit", purpose="residence4").latest("id")
    assert (entry.outcome, entry.reason) == ("refused", "no_grant")
    assert entry.subject_ref == f"person:{world.engineer.public_id}"


def test_a_drawn_number_that_is_taken_is_drawn_again(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The number is drawn at random; one already taken is drawn again (ON CONFLICT DO NOTHING, no
    savepoint), and the decision and its certificate still commit together."""
    with_certificate(world)
    first = approve(world, world.submitted_case())
    taken = Certificate.objects.get(case_number=first.number).number
    drawn = iter([taken, taken, "TP2026FRESH001"])
    monkeypatch.setattr(certificate_services, "_number", lambda prefix, now: next(drawn))
    second = approve(world, world.submitted_case())
    certificate = Certificate.objects.get(case_number=second.number)
    assert certificate.number == "TP2026FRESH001" and second.status == "approved"
    assert Certificate.objects.get(number=taken).case_number == first.number  # the holder of the taken number untouched
    assert AuditEvent.objects.filter(action="certificates.issued", object_id="TP2026FRESH001").count() == 1
    claims = jwt.decode(certificate.jws, options={"verify_signature": False})
    assert claims["jti"] == "TP2026FRESH001"  # signed with the number it got
