"""Test helpers: build a published service with a form definition and materials, and applicants."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from tests.factories import AccountFactory, AgencyFactory, AgencyOfficeFactory
from tongban.catalogue.models import CertificateType, ServiceVersion
from tongban.catalogue.services import service_item_create
from tongban.core.actors import Actor
from tongban.exchange.models import DataResource, Grant, GrantStatus
from tongban.forms.models import FormDefinition
from tongban.forms.services import service_version_publish_with_form
from tongban.identity.models import Agency

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "employer": {"type": "string", "maxLength": 200},
        "employee_name": {"type": "string", "maxLength": 100},
        "passport_number": {"type": "string", "pattern": "^[A-Z0-9]{5,20}$"},
        "nationality": {"type": "string", "pattern": "^[A-Z]{2}$", "x-country": "nationality"},
        "annual_salary": {"type": "integer", "minimum": 0},
        "education": {"type": "string", "enum": ["doctorate", "master", "bachelor", "other"]},
        "has_family": {"type": "string", "enum": ["yes", "no"]},
        "spouse_name": {"type": "string", "maxLength": 100},
        "start_on": {"type": "string", "format": "date"},
    },
    "required": [
        "employer",
        "employee_name",
        "passport_number",
        "nationality",
        "annual_salary",
        "has_family",
        "spouse_name",
    ],
}
LAYOUT: dict[str, Any] = {
    "steps": [
        {"key": "employer", "title": {"zh": "用人单位", "en": "Employer"}, "fields": ["employer"]},
        {
            "key": "employee",
            "title": {"zh": "外籍员工", "en": "Employee"},
            "fields": ["employee_name", "passport_number", "nationality", "annual_salary", "education", "start_on"],
        },
        {"key": "family", "title": {"zh": "家属", "en": "Family"}, "fields": ["has_family", "spouse_name"]},
    ],
    "fields": {
        "employer": {"label": {"zh": "单位", "en": "Employer"}, "prefill": "firm.name_zh", "authoritative": True},
        "employee_name": {"label": {"zh": "姓名", "en": "Name"}},
        "passport_number": {"label": {"zh": "护照号码", "en": "Passport number"}},
        "nationality": {"label": {"zh": "国籍", "en": "Nationality"}},
        "annual_salary": {"label": {"zh": "年薪", "en": "Annual salary"}},
        "education": {
            "label": {"zh": "学历", "en": "Degree"},
            "widget": "radio",
            "choices": {
                "doctorate": {"zh": "博士", "en": "Doctorate"},
                "master": {"zh": "硕士", "en": "Master"},
                "bachelor": {"zh": "学士", "en": "Bachelor"},
                "other": {"zh": "其他", "en": "Other"},
            },
        },
        "start_on": {"label": {"zh": "入职日期", "en": "Start date"}},
        "has_family": {
            "label": {"zh": "有无随行家属", "en": "Accompanying family?"},
            "widget": "radio",
            "choices": {"yes": {"zh": "有", "en": "Yes"}, "no": {"zh": "无", "en": "No"}},
        },
        "spouse_name": {
            "label": {"zh": "配偶姓名", "en": "Spouse's name"},
            "visible_if": {"field": "has_family", "equals": "yes"},
        },
    },
    "persons_concerned": [{"id_number_field": "passport_number", "nationality_field": "nationality"}],
}
PERSONAL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "reason": {"type": "string", "maxLength": 500, "x-multiline": True}},
    "required": ["name", "reason"],
}
PERSONAL_LAYOUT: dict[str, Any] = {
    "steps": [{"key": "you", "title": {"zh": "申请人", "en": "You"}, "fields": ["name", "reason"]}],
    "fields": {
        "name": {"label": {"zh": "姓名", "en": "Name"}, "prefill": "person.name", "authoritative": True},
        "reason": {"label": {"zh": "事由", "en": "Reason"}},
    },
}


def make_service(
    *,
    code: str = "test-permit",
    agency: Agency | None = None,
    area: str = "foreign_staff",
    workflow: str = "review",
    four_eyes: bool = False,
    for_firms: bool = True,
    for_individuals: bool = False,
    handling_level: str = "city",
    materials: list[dict[str, Any]] | None = None,
    schema: dict[str, Any] | None = None,
    layout: dict[str, Any] | None = None,
    certificate_type: CertificateType | None = None,
) -> ServiceVersion:
    agency = agency or AgencyFactory.create()
    AgencyOfficeFactory(agency=agency)  # the city office
    actor = Actor.system("tests")
    version = service_item_create(
        code=code,
        agency=agency,
        area=area,
        content={
            "name_zh": f"测试事项{code}",
            "name_en": f"Test service {code}",
            "summary_zh": "用于测试。",
            "summary_en": "For tests.",
            "for_firms": for_firms,
            "for_individuals": for_individuals,
            "statutory_limit_workdays": 10,
            "promised_limit_workdays": 5,
            "workflow": workflow,
            "four_eyes": four_eyes,
            "handling_level": handling_level,
            "certificate_type": certificate_type,
        },
        materials=materials
        if materials is not None
        else [{"code": "passport", "name_zh": "护照", "name_en": "Passport copy", "required": True}],
        topic_codes=[],
        editor=actor,
        actor=actor,
    )
    FormDefinition.objects.create(version=version, schema=schema or SCHEMA, layout=layout or LAYOUT)
    return service_version_publish_with_form(version=version, editor=actor, actor=actor, now=timezone.now())


def pdf_upload(name: str = "passport.pdf") -> Any:
    """A real one-page PDF as an uploaded file."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def certificate_resource(
    *, type_code: str, owner: Agency, consumer: Agency, purpose: str, fields: tuple[str, ...] = ("number",)
) -> Any:
    """Publish ``certificate.<type>`` as a restricted exchange resource and grant it to ``consumer``."""
    resource, _ = DataResource.objects.get_or_create(
        code=f"certificate.{type_code}",
        defaults={
            "owner": owner,
            "name_zh": "电子证照",
            "name_en": "E-certificate",
            "classification": "restricted",
            "subject_kind": "person",
            "provider": "internal.certificates",
            "fields": [
                {"name": name, "label": {"zh": name, "en": name}}
                for name in ("number", "valid_until", "category", "employer")
            ],
        },
    )
    now = timezone.now()
    return Grant.objects.create(
        consumer=consumer,
        resource=resource,
        purpose=purpose,
        fields=list(dict.fromkeys(("number", *fields))),
        status=GrantStatus.APPROVED,
        requested_by=AccountFactory(),
        requested_at=now,
        decided_at=now,
        expires_at=now + timedelta(days=365),
    )
