"""Demo cases that ran the whole way through, so the demo city holds real e-certificates: the
foreign engineer's work permit (applied for by the HR manager, approved with four eyes) and the
firm's annual-report receipt — and his residence-permit application, submitted with the work
permit read through the data exchange (not uploaded), waiting for the Exit-Entry officer.
Everything goes through the same services a browser would use."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from tongban.cases.models import Case
from tongban.cases.services import case_act, case_submit
from tongban.catalogue.models import Material, ServiceVersion, VersionStatus
from tongban.certificates.models import Certificate
from tongban.core.actors import Actor
from tongban.core.deadlines import local_date
from tongban.forms.models import FormDefinition
from tongban.forms.services import application_save_step, application_start, application_upload
from tongban.identity.models import Account, Firm, Person

#: The demo work permit's number, named in README so that anyone can try the verification page.
WORK_PERMIT_NUMBER = "WP2026DEMO0001"


def _pdf(label: str) -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": f"Demo scan: {label}"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(f"{label}.pdf", buffer.getvalue(), content_type="application/pdf")


def _actor(account: Account) -> Actor:
    return Actor(kind="account", account_id=account.pk, label=account.username)


def _fill(
    version: ServiceVersion, application: Any, person: Person, answers: dict[str, dict[str, Any]], now: datetime
) -> None:
    """Save each step as a browser would; submission then checks the whole form."""
    definition = FormDefinition.objects.get(version=version)
    for step in definition.layout["steps"]:
        _values, errors = application_save_step(
            application=application,
            step_key=step["key"],
            posted=answers.get(step["key"], {}),
            person=person,
            now=now,
            complete=False,
        )
        if errors:
            raise RuntimeError(f"demo data for {version.item.code}/{step['key']} is wrong: {errors}")
        application.refresh_from_db()


def work_permit(*, firm: Firm, hr: Person, now: datetime) -> Certificate | None:
    engineer = Person.objects.get(account__username="lucas.martin")
    existing = Certificate.objects.filter(holder_person=engineer, certificate_type__code="work-permit").first()
    if existing is not None:
        return existing
    version = ServiceVersion.objects.get(item__code="fw-work-permit", status=VersionStatus.PUBLISHED)
    hr_actor = _actor(hr.account) if hr.account else Actor.system("demo")
    application = application_start(person=hr, version=version, firm=firm, actor=hr_actor, now=now)
    _fill(
        version,
        application,
        hr,
        {
            "employer": {"contact_name": "Emma Schmidt", "contact_phone": "+86 21 5555 0100"},
            "employee": {
                "employee_name": "MARTIN Lucas",
                "passport_number": engineer.id_number,
                "nationality": "FR",
                "birth_date": "1991-04-12",
                "employee_email": "lucas.martin@example.fr",
            },
            "job": {
                "job_title": "Senior mechanical engineer",
                "start_on": (local_date(now) + timedelta(days=60)).isoformat(),
                "contract_months": "36",
                "annual_salary": "480000",
                "months_in_china": "nine_plus",
            },
            "qualifications": {
                "highest_degree": "master",
                "experience_years": "8",
                "chinese_level": "hsk3",
                "top200_graduate": "yes",
                "fortune500_employer": "no",
            },
        },
        now,
    )
    for material in Material.objects.filter(version=version):
        application_upload(
            application=application, material=material, file=_pdf(material.code), person=hr, actor=hr_actor, now=now
        )
    case = case_submit(application=application, person=hr, actor=hr_actor, now=now)
    officer = Account.objects.get(username="officer.science")
    supervisor = Account.objects.get(username="supervisor.science")
    for account, action, reason in (
        (officer, "accept", ""),
        (officer, "start_review", ""),
        (officer, "propose_approval", "Category by the points table confirmed; all materials in order."),
        (supervisor, "approve", ""),
    ):
        case.refresh_from_db()
        case = case_act(
            case=case,
            action=action,
            expected_version=case.lock_version,
            account=account,
            reason=reason,
            actor=_actor(account),
            now=now,
            certificate_number=WORK_PERMIT_NUMBER,
        )
    return Certificate.objects.filter(case_number=case.number).first()


def annual_report(*, firm: Firm, now: datetime) -> Certificate | None:
    existing = Certificate.objects.filter(holder_firm=firm, certificate_type__code="annual-report-receipt").first()
    if existing is not None:
        return existing
    legal_rep = firm.legal_representative
    assert legal_rep.account is not None
    version = ServiceVersion.objects.get(item__code="annual-report", status=VersionStatus.PUBLISHED)
    actor = _actor(legal_rep.account)
    application = application_start(person=legal_rep, version=version, firm=firm, actor=actor, now=now)
    _fill(
        version,
        application,
        legal_rep,
        {
            "firm": {"contact_phone": "+86 21 5555 0101"},
            "report": {
                "report_year": str(now.year - 1),
                "business_status": "operating",
                "employee_count": "86",
                "total_assets_band": "10m_100m",
                "has_foreign_investment": "yes",
            },
            "foreign_investment": {
                "investor_name": "Rhein Präzision GmbH",
                "investor_country": "DE",
                "foreign_share_percent": "100",
            },
        },
        now,
    )
    case = case_submit(application=application, person=legal_rep, actor=actor, now=now)
    return Certificate.objects.filter(case_number=case.number).first()


def residence_permit(*, firm: Firm, hr: Person, now: datetime) -> Case | None:
    """Emma applies for Lucas's residence permit: the work permit stands in for its upload (read
    through the exchange, with the application as the basis); the other materials are uploaded."""
    engineer = Person.objects.get(account__username="lucas.martin")
    existing = Case.objects.filter(item__code="fw-residence-permit", parties__person=engineer).first()
    if existing is not None:
        return existing
    version = ServiceVersion.objects.get(item__code="fw-residence-permit", status=VersionStatus.PUBLISHED)
    hr_actor = _actor(hr.account) if hr.account else Actor.system("demo")
    application = application_start(person=hr, version=version, firm=firm, actor=hr_actor, now=now)
    _fill(
        version,
        application,
        hr,
        {
            "employee": {
                "employee_name": "MARTIN Lucas",
                "passport_number": engineer.id_number,
                "nationality": "FR",
                "birth_date": "1991-04-12",
            },
            "stay": {"address": "88 Century Avenue, Pudong", "district": "310115", "duration": "1y_to_3y"},
        },
        now,
    )
    for material in Material.objects.filter(version=version).exclude(code="work-permit"):
        application_upload(
            application=application, material=material, file=_pdf(material.code), person=hr, actor=hr_actor, now=now
        )
    return case_submit(application=application, person=hr, actor=hr_actor, now=now)
