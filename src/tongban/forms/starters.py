"""Starter forms: the form definition a new service begins with.

There is no form editor in the back office yet, so a service created there starts with one of
these small, valid forms, taken from the demo city's simple services: a person applying for
themselves (the tax and social-security records), a firm (the annual report), and a firm for a
foreign employee (the work permit). Each ends with a free-text step for the request itself.
Every new draft version copies the form of the version before it (``version_drafted``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Text = dict[str, str]

COUNTRY_PATTERN = "^[A-Z]{2}$"
USCC_PATTERN = "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
PHONE_PATTERN = "^[+]?[0-9][0-9 -]{6,19}$"
PASSPORT_PATTERN = "^[A-Za-z0-9]{5,20}$"


def _t(zh: str, en: str) -> Text:
    return {"zh": zh, "en": en}


@dataclass(frozen=True)
class _Field:
    name: str
    schema: dict[str, Any]
    layout: dict[str, Any]
    required: bool = True


@dataclass(frozen=True)
class _Step:
    key: str
    title: Text
    fields: tuple[_Field, ...]


@dataclass(frozen=True)
class Starter:
    """One starter form: a name for the chooser and the steps of the form."""

    code: str
    name: Promise
    steps: tuple[_Step, ...]
    persons_concerned: tuple[dict[str, str], ...] = field(default=())

    def schema(self) -> dict[str, Any]:
        """The JSON Schema (2020-12) of the form's data (a fresh copy)."""
        fields = [item for step in self.steps for item in step.fields]
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {item.name: copy.deepcopy(item.schema) for item in fields},
            "required": [item.name for item in fields if item.required],
        }

    def layout(self) -> dict[str, Any]:
        """Steps and field presentation, docs/forms.md (a fresh copy)."""
        layout: dict[str, Any] = {
            "steps": [
                {"key": step.key, "title": dict(step.title), "fields": [item.name for item in step.fields]}
                for step in self.steps
            ],
            "fields": {item.name: copy.deepcopy(item.layout) for step in self.steps for item in step.fields},
        }
        if self.persons_concerned:
            layout["persons_concerned"] = [dict(person) for person in self.persons_concerned]
        return layout


CONTACT_PHONE = _Field(
    "contact_phone",
    {"type": "string", "maxLength": 20, "pattern": PHONE_PATTERN},
    {
        "label": _t("联系电话", "Contact phone"),
        "widget": "tel",
        "prefill": "account.phone",
        "help": _t(
            "手机号码或带区号的固定电话，如021-12345678。",
            "A mobile number or a landline with its area code, e.g. 021-12345678.",
        ),
    },
)
REQUEST_STEP = _Step(
    "request",
    _t("申请事项", "Your request"),
    (
        _Field(
            "request_details",
            {"type": "string", "maxLength": 2000, "x-multiline": True},
            {
                "label": _t("申请内容", "What do you apply for?"),
                "help": _t("请说明申请事项及理由。", "Say what you apply for and why."),
            },
        ),
    ),
)
PERSON_STEP = _Step(
    "applicant",
    _t("申请人", "Applicant"),
    (
        _Field(
            "applicant_name",
            {"type": "string", "maxLength": 100},
            {
                "label": _t("姓名", "Name"),
                "prefill": "person.name",
                "help": _t(
                    "外籍人员填写中文姓名或护照上的姓名。",
                    "Foreigners: your Chinese name, or your name as in the passport.",
                ),
            },
        ),
        _Field(
            "id_type",
            {"type": "string", "enum": ["resident_id", "hmt_permit", "foreign_permanent_id", "passport"]},
            {
                "label": _t("证件类型", "Type of ID"),
                "prefill": "person.id_type",
                "authoritative": True,
                "choices": {
                    "resident_id": _t("居民身份证", "Chinese resident ID card"),
                    "hmt_permit": _t("港澳台居民居住证", "Residence permit for Hong Kong, Macao and Taiwan residents"),
                    "foreign_permanent_id": _t("外国人永久居留身份证", "Foreigner's permanent residence ID card"),
                    "passport": _t("护照", "Passport"),
                },
            },
        ),
        _Field(
            "id_number",
            {"type": "string", "maxLength": 20},
            {
                "label": _t("证件号码", "ID number"),
                "prefill": "person.id_number",
                "authoritative": True,
                "help": _t("取自本人身份信息，不可修改。", "From your identity record; it cannot be changed here."),
            },
        ),
        CONTACT_PHONE,
    ),
)
FIRM_STEP = _Step(
    "firm",
    _t("企业基本信息", "Company"),
    (
        _Field(
            "firm_name",
            {"type": "string", "maxLength": 200},
            {
                "label": _t("企业名称", "Company name"),
                "prefill": "firm.name_zh",
                "authoritative": True,
                "help": _t(
                    "取自单位登记信息，不可修改。", "From the firm's registration record; it cannot be changed here."
                ),
            },
        ),
        _Field(
            "uscc",
            {"type": "string", "maxLength": 18, "pattern": USCC_PATTERN},
            {
                "label": _t("统一社会信用代码", "Unified social credit code (USCC)"),
                "prefill": "firm.uscc",
                "authoritative": True,
                "help": _t(
                    "18位统一社会信用代码，取自单位登记信息。",
                    "The firm's 18-character code, from its registration record.",
                ),
            },
        ),
        CONTACT_PHONE,
    ),
)
EMPLOYEE_STEP = _Step(
    "employee",
    _t("外籍员工", "Foreign employee"),
    (
        _Field(
            "employee_name",
            {"type": "string", "maxLength": 100},
            {
                "label": _t("姓名（护照）", "Name (as in the passport)"),
                "help": _t(
                    "按护照所示填写，姓在前、名在后，如 MARTIN Lucas。",
                    "As printed in the passport, surname first, e.g. MARTIN Lucas.",
                ),
            },
        ),
        _Field(
            "passport_number",
            {"type": "string", "maxLength": 20, "pattern": PASSPORT_PATTERN},
            {
                "label": _t("护照号码", "Passport number"),
                "help": _t(
                    "按护照所示填写字母和数字，不含空格。", "Letters and digits as in the passport, without spaces."
                ),
            },
        ),
        _Field(
            "nationality",
            {"type": "string", "maxLength": 2, "pattern": COUNTRY_PATTERN, "x-country": "nationality"},
            {
                "label": _t("国籍", "Nationality"),
                "widget": "select",
                "help": _t(
                    "按护照所示选择。港澳台居民和内地居民是中国公民，不在此列。",
                    "As shown in the passport. Residents of Hong Kong, Macao, Taiwan and the mainland are Chinese "
                    "citizens and are not listed.",
                ),
            },
        ),
    ),
)

#: The starters in the order the chooser lists them.
STARTERS: dict[str, Starter] = {
    starter.code: starter
    for starter in (
        Starter("person", _("A person applies for themselves: name, ID, phone, request"), (PERSON_STEP, REQUEST_STEP)),
        Starter("firm", _("A firm applies: company name, USCC, phone, request"), (FIRM_STEP, REQUEST_STEP)),
        Starter(
            "firm-foreign-employee",
            _("A firm applies for a foreign employee: company, the employee's passport data, request"),
            (FIRM_STEP, EMPLOYEE_STEP, REQUEST_STEP),
            persons_concerned=({"id_number_field": "passport_number", "nationality_field": "nationality"},),
        ),
    )
}
