"""The demo city's data exchange: the resources agencies publish, the grants between them, and the
authoritative registry records (population, business, social security, tax) of the demo people
and firm. Loaded through the exchange's services, so the audit trail shows every grant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from tongban.core.actors import Actor
from tongban.exchange.models import (
    BusinessRecord,
    DataResource,
    Grant,
    PopulationRecord,
    SocialSecurityRecord,
    TaxRecord,
)
from tongban.exchange.services import grant_decide, grant_request
from tongban.identity.models import Account, Agency, Firm, Person


def _f(name: str, zh: str, en: str, values: dict[str, tuple[str, str]] | None = None) -> dict[str, Any]:
    """A field of a resource: its bilingual label and, for a coded field, each code's label
    (``exchange.display`` shows the label, never the code)."""
    spec: dict[str, Any] = {"name": name, "label": {"zh": zh, "en": en}}
    if values:
        spec["values"] = {code: {"zh": zh_label, "en": en_label} for code, (zh_label, en_label) in values.items()}
    return spec


FIRM_TYPES = {
    "limited_company": ("有限责任公司", "Limited liability company"),
    "joint_stock": ("股份有限公司", "Joint stock company"),
    "foreign_invested": ("外商投资企业", "Foreign-invested enterprise"),
    "sole_proprietorship": ("个人独资企业", "Sole proprietorship"),
    "partnership": ("合伙企业", "Partnership"),
    "individual_business": ("个体工商户", "Individual business"),
    "public_institution": ("事业单位", "Public institution"),
    "social_organisation": ("社会组织", "Social organisation"),
}
BUSINESS_STATUSES = {
    "operating": ("存续（在营）", "Operating"),
    "suspended": ("停业", "Suspended"),
    "revoked": ("吊销", "Licence revoked"),
    "deregistered": ("注销", "Deregistered"),
}
ENROLMENT_STATUSES = {
    "active": ("正常参保", "Contributing"),
    "suspended": ("暂停缴费", "Contributions suspended"),
    "ended": ("终止参保", "Ended"),
}
CLEARANCES = {"clear": ("无欠税", "No tax owed"), "arrears": ("有欠税", "Tax owed")}
SEXES = {"F": ("女", "Female"), "M": ("男", "Male")}


CERTIFICATE_FIELDS = {
    "work-permit": [
        _f("number", "证号", "Number"),
        _f("valid_until", "有效期至", "Valid until"),
        _f("category", "类别", "Category"),
        _f("employer", "工作单位", "Employer"),
        _f("job_title", "工作岗位", "Job title"),
        _f("nationality", "国籍", "Nationality"),
    ],
    "residence-permit-work": [
        _f("number", "证号", "Number"),
        _f("valid_until", "有效期至", "Valid until"),
        _f("work_permit", "工作许可证号", "Work permit number"),
    ],
    "annual-report-receipt": [
        _f("number", "证号", "Number"),
        _f("year", "报告年度", "Reporting year"),
        _f("status", "经营状态", "Business status", BUSINESS_STATUSES),
    ],
}


@dataclass(frozen=True)
class ResourceData:
    code: str
    owner: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    classification: str
    subject_kind: str
    provider: str
    fields: list[dict[str, Any]]


RESOURCES = (
    ResourceData(
        "population.record",
        "exit-entry",
        "人口登记信息",
        "Population registry record",
        "公安机关登记的姓名、出生日期、性别、国籍和户籍地址。",
        "Name, date of birth, sex, nationality and registered address as recorded by public security.",
        "restricted",
        "person",
        "internal.population",
        [
            _f("name", "姓名", "Name"),
            _f("latin_name", "外文姓名", "Name in Latin letters"),
            _f("birth_date", "出生日期", "Date of birth"),
            _f("sex", "性别", "Sex", SEXES),
            _f("nationality", "国籍", "Nationality"),
            _f("registered_address", "户籍地址", "Registered address"),
            _f("registered_district", "户籍所在区", "Registered district"),
        ],
    ),
    ResourceData(
        "business.record",
        "market-regulation",
        "企业登记信息",
        "Business registration record",
        "市场监管部门登记的企业名称、类型、法定代表人、注册资本、成立日期和经营状态。",
        "The firm's registered name, type, legal representative, registered capital, date of establishment and status.",
        "shared",
        "firm",
        "internal.business",
        [
            _f("name_zh", "企业名称", "Name (Chinese)"),
            _f("name_en", "英文名称", "Name (English)"),
            _f("firm_type", "企业类型", "Type of firm", FIRM_TYPES),
            _f("legal_representative_id_number", "法定代表人证件号码", "Legal representative's ID number"),
            _f("registered_capital_yuan", "注册资本（元）", "Registered capital (yuan)"),
            _f("established_on", "成立日期", "Established on"),
            _f("status", "经营状态", "Status", BUSINESS_STATUSES),
            _f("address", "住所", "Registered address"),
        ],
    ),
    ResourceData(
        "social-security.record",
        "hrss",
        "社会保险参保信息",
        "Social security contribution record",
        "参保单位、参保日期、缴费月数和参保状态。",
        "Employer, date of enrolment, months contributed and status.",
        "restricted",
        "person",
        "internal.social_security",
        [
            _f("employer_uscc", "参保单位统一社会信用代码", "Employer's credit code"),
            _f("enrolled_on", "参保日期", "Enrolled on"),
            _f("months_contributed", "缴费月数", "Months contributed"),
            _f("status", "参保状态", "Status", ENROLMENT_STATUSES),
        ],
    ),
    ResourceData(
        "tax.clearance",
        "taxation",
        "纳税状况",
        "Tax clearance",
        "是否欠税、欠税金额和最近一次申报日期。",
        "Whether any tax is owed, how much, and the date of the last filing.",
        "shared",
        "firm",
        "internal.tax",
        [
            _f("clearance", "纳税状况", "Clearance", CLEARANCES),
            _f("arrears_yuan", "欠税金额（元）", "Arrears (yuan)"),
            _f("last_filing_on", "最近申报日期", "Last filing on"),
        ],
    ),
    ResourceData(
        "certificate.work-permit",
        "science-tech",
        "外国人工作许可证",
        "Foreigner's work permit",
        "持证人当前有效的外国人工作许可证。",
        "The holder's currently valid foreigner's work permit.",
        "restricted",
        "person",
        "internal.certificates",
        CERTIFICATE_FIELDS["work-permit"],
    ),
    ResourceData(
        "certificate.residence-permit-work",
        "exit-entry",
        "外国人居留许可（工作类）",
        "Residence permit (work)",
        "持证人当前有效的工作类居留许可。",
        "The holder's currently valid residence permit for work.",
        "restricted",
        "person",
        "internal.certificates",
        CERTIFICATE_FIELDS["residence-permit-work"],
    ),
    ResourceData(
        "certificate.annual-report-receipt",
        "market-regulation",
        "企业年度报告公示回执",
        "Annual report filing receipt",
        "企业最近一次年度报告的公示回执。",
        "The receipt of the firm's latest annual report.",
        "shared",
        "firm",
        "internal.certificates",
        CERTIFICATE_FIELDS["annual-report-receipt"],
    ),
)


@dataclass(frozen=True)
class GrantData:
    consumer: str
    resource: str
    purpose: str
    fields: tuple[str, ...]
    justification: str
    approve: bool | None = True  # None: left for the owner to decide


GRANTS = (
    GrantData(
        "exit-entry",
        "certificate.work-permit",
        "fw-residence-permit",
        ("number", "valid_until", "category", "employer", "job_title"),
        "A residence permit for work needs a valid work permit (Exit-Entry Administration Law, art. 30).",
    ),
    GrantData(
        "exit-entry",
        "social-security.record",
        "fw-residence-permit",
        ("employer_uscc", "status"),
        "Check that the employee is enrolled by the employer named in the application.",
    ),
    GrantData(
        "exit-entry",
        "population.record",
        "fw-residence-permit",
        ("latin_name", "birth_date", "nationality"),
        "Check the applicant's identity against the entry record.",
    ),
    GrantData(
        "science-tech",
        "business.record",
        "fw-work-permit",
        ("name_zh", "status", "legal_representative_id_number"),
        "The employer must be a registered firm that is operating.",
    ),
    GrantData(
        "big-data",
        "population.record",
        "identity-verification",
        ("name", "latin_name", "birth_date"),
        "Verify a resident's account against the population registry, at their request.",
    ),
    GrantData(
        "big-data",
        "business.record",
        "identity-verification",
        ("name_zh", "legal_representative_id_number", "status"),
        "Verify a firm's account against the business registry, at its legal representative's request.",
    ),
    GrantData(
        "market-regulation",
        "tax.clearance",
        "annual-report",
        ("clearance", "arrears_yuan"),
        "The annual report shows whether the firm owes tax.",
    ),
    GrantData(
        "hrss",
        "population.record",
        "si-enrolment",
        ("name", "birth_date", "sex"),
        "Enrol employees without asking for a copy of their ID card.",
        approve=None,
    ),
)


def load_resources() -> dict[str, DataResource]:
    found = {}
    for item in RESOURCES:
        values = vars(item).copy()
        values["owner"] = Agency.objects.get(code=item.owner)
        resource, _created = DataResource.objects.get_or_create(code=item.code, defaults=values)
        found[item.code] = resource
    return found


def load_grants(*, resources: dict[str, DataResource], operator: Account, actor: Actor, now: datetime) -> None:
    """Requested by the consumer's side and decided by the owner's side, through the services."""
    for item in GRANTS:
        consumer = Agency.objects.get(code=item.consumer)
        resource = resources[item.resource]
        if Grant.objects.filter(consumer=consumer, resource=resource, purpose=item.purpose).exists():
            continue
        grant = grant_request(
            consumer=consumer,
            resource=resource,
            purpose=item.purpose,
            fields=list(item.fields),
            expires_at=now + timedelta(days=730),
            justification=item.justification,
            account=operator,
            actor=actor,
            now=now,
        )
        if item.approve is not None:
            grant_decide(
                grant=grant, approve=item.approve, reason="Demo city set-up", account=operator, actor=actor, now=now
            )


def _birth_date(resident_id: str) -> date:
    return date(int(resident_id[6:10]), int(resident_id[10:12]), int(resident_id[12:14]))


#: Birth dates and addresses the registries hold for the demo people (by user name).
PASSPORT_BIRTH_DATES = {"emma.schmidt": date(1986, 4, 12), "lucas.martin": date(1991, 9, 3)}
ADDRESSES = {
    "wang.fang": ("徐汇区漕溪北路88弄3号", "310104"),
    "chen.wei": ("浦东新区世纪大道100号", "310115"),
}


def load_registries(*, people: dict[str, Person], firm: Firm, since: date) -> None:
    """One authoritative record per demo person and for the firm (not copied from their accounts:
    the registries are the source the accounts are checked against)."""
    for username, person in people.items():
        resident = person.id_type == "resident_id"
        address, district = ADDRESSES.get(username, ("", ""))
        PopulationRecord.objects.get_or_create(
            id_type=person.id_type,
            id_number=person.id_number,
            nationality=str(person.nationality),
            defaults={
                "name": person.name,
                "latin_name": person.latin_name,
                "birth_date": _birth_date(person.id_number) if resident else PASSPORT_BIRTH_DATES[username],
                "sex": ("M" if int(person.id_number[16]) % 2 else "F")
                if resident
                else ("F" if username == "emma.schmidt" else "M"),
                "registered_address": address,
                "registered_district": district,
            },
        )
    BusinessRecord.objects.get_or_create(
        uscc=firm.uscc,
        defaults={
            "name_zh": firm.name_zh,
            "name_en": firm.name_en,
            "firm_type": firm.firm_type,
            "legal_representative_id_number": firm.legal_representative.id_number,
            "registered_capital_yuan": 50_000_000,
            "established_on": date(2016, 5, 18),
            "status": "operating",
            "address": "浦东新区张江高科技园区科苑路399号",
        },
    )
    for username in ("emma.schmidt", "chen.wei"):
        person = people[username]
        SocialSecurityRecord.objects.get_or_create(
            id_number=person.id_number,
            nationality=str(person.nationality),
            employer_uscc=firm.uscc,
            defaults={"enrolled_on": since - timedelta(days=800), "months_contributed": 26, "status": "active"},
        )
    TaxRecord.objects.get_or_create(
        taxpayer=firm.uscc, defaults={"clearance": "clear", "last_filing_on": since - timedelta(days=20)}
    )
