"""The demo city's service catalogue as plain values: topics, services with their guides, materials
and forms, and the work-permit points table.

Pure data and small pure builders, no ORM: ``catalogue_loader`` turns these values into catalogue
rows through the catalogue services. Chinese follows the style of the 一网通办 service guides;
English is written for a foreign HR manager. Forms follow docs/forms.md (JSON Schema 2020-12 plus
a layout); :class:`Form` builds both from one list of fields so they cannot drift apart.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from tongban.demo import data

Text = Mapping[str, str]


def t(zh: str, en: str) -> dict[str, str]:
    """A bilingual text, as the form layout stores it."""
    return {"zh": zh, "en": en}


# --------------------------------------------------------------------------------------------
# Topics


@dataclass(frozen=True)
class TopicData:
    code: str
    name_zh: str
    name_en: str
    position: int


TOPICS = (
    TopicData("international", "国际版", "International", 0),
    TopicData("employment", "就业创业", "Jobs and employment", 10),
    TopicData("social-security", "社会保障", "Social security", 20),
    TopicData("business", "企业经营", "Running a business", 30),
    TopicData("tax", "税务", "Tax", 40),
    TopicData("residence", "居住出入境", "Residence and entry", 50),
)


# --------------------------------------------------------------------------------------------
# Forms


@dataclass(frozen=True)
class Field:
    """One form field: its JSON Schema property and how the layout presents it."""

    name: str
    schema: Mapping[str, Any]
    label: Text
    help: Text | None = None
    required: bool = True
    widget: str = ""
    choices: Mapping[str, Text] | None = None
    prefill: str = ""
    authoritative: bool = False
    visible_if: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Step:
    key: str
    title: Text
    fields: tuple[Field, ...]
    visible_if: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Form:
    steps: tuple[Step, ...]
    persons_concerned: tuple[Mapping[str, Any], ...] = ()
    points_table: str = ""
    points_fields: Mapping[str, Any] = field(default_factory=dict)

    def all_fields(self) -> list[Field]:
        return [item for step in self.steps for item in step.fields]

    def schema(self) -> dict[str, Any]:
        """The JSON Schema (2020-12) of the form's data."""
        fields = self.all_fields()
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {item.name: copy.deepcopy(dict(item.schema)) for item in fields},
            "required": [item.name for item in fields if item.required],
        }

    def layout(self) -> dict[str, Any]:
        """Steps and field presentation (docs/forms.md)."""
        steps: list[dict[str, Any]] = []
        specs: dict[str, Any] = {}
        for step in self.steps:
            entry: dict[str, Any] = {
                "key": step.key,
                "title": dict(step.title),
                "fields": [item.name for item in step.fields],
            }
            if step.visible_if:
                entry["visible_if"] = dict(step.visible_if)
            steps.append(entry)
            for item in step.fields:
                spec: dict[str, Any] = {"label": dict(item.label)}
                if item.help:
                    spec["help"] = dict(item.help)
                if item.widget:
                    spec["widget"] = item.widget
                if item.choices:
                    spec["choices"] = {value: dict(label) for value, label in item.choices.items()}
                if item.prefill:
                    spec["prefill"] = item.prefill
                if item.authoritative:
                    spec["authoritative"] = True
                if item.visible_if:
                    spec["visible_if"] = dict(item.visible_if)
                specs[item.name] = spec
        layout: dict[str, Any] = {"steps": steps, "fields": specs}
        if self.persons_concerned:
            layout["persons_concerned"] = [dict(person) for person in self.persons_concerned]
        return layout


def text_field(name: str, label: Text, *, max_length: int = 100, pattern: str = "", **options: Any) -> Field:
    schema: dict[str, Any] = {"type": "string", "maxLength": max_length}
    if pattern:
        schema["pattern"] = pattern
    return Field(name=name, schema=schema, label=label, **options)


def country_field(name: str, label: Text, *, purpose: str = "nationality", **options: Any) -> Field:
    """An ISO 3166-1 alpha-2 code chosen from ``core.countries`` by name (``x-country``): a
    foreigner's ``nationality`` (never CN, HK, MO, TW) or any ``country_or_region``."""
    schema = {"type": "string", "maxLength": 2, "pattern": COUNTRY_PATTERN, "x-country": purpose}
    return Field(name=name, schema=schema, label=label, widget="select", **options)


def multiline_field(name: str, label: Text, *, max_length: int = 2000, **options: Any) -> Field:
    schema = {"type": "string", "maxLength": max_length, "x-multiline": True}
    return Field(name=name, schema=schema, label=label, **options)


def integer_field(name: str, label: Text, *, minimum: int, maximum: int, **options: Any) -> Field:
    schema = {"type": "integer", "minimum": minimum, "maximum": maximum}
    return Field(name=name, schema=schema, label=label, **options)


def number_field(name: str, label: Text, *, minimum: float, maximum: float, **options: Any) -> Field:
    schema = {"type": "number", "minimum": minimum, "maximum": maximum}
    return Field(name=name, schema=schema, label=label, **options)


def date_field(name: str, label: Text, *, dates: str = "", **options: Any) -> Field:
    """A date; ``dates`` "past" (not after the day of saving: a birth date) or "future" (not
    before it: a planned start), the form's ``x-dates``."""
    schema: dict[str, Any] = {"type": "string", "format": "date"}
    if dates:
        schema["x-dates"] = dates
    return Field(name=name, schema=schema, label=label, **options)


def email_field(name: str, label: Text, **options: Any) -> Field:
    return Field(name=name, schema={"type": "string", "format": "email", "maxLength": 254}, label=label, **options)


def choice_field(
    name: str, label: Text, choices: Mapping[str, Text], *, widget: str = "select", **options: Any
) -> Field:
    """One of ``choices`` (the enum is the choices' keys, in order)."""
    schema = {"type": "string", "enum": list(choices)}
    return Field(name=name, schema=schema, label=label, choices=choices, widget=widget, **options)


def choices_field(name: str, label: Text, choices: Mapping[str, Text], *, min_items: int = 1, **options: Any) -> Field:
    """Any of ``choices`` (checkboxes)."""
    schema = {
        "type": "array",
        "items": {"type": "string", "enum": list(choices)},
        "minItems": min_items,
        "uniqueItems": True,
    }
    return Field(name=name, schema=schema, label=label, choices=choices, widget="checkboxes", **options)


def boolean_field(name: str, label: Text, **options: Any) -> Field:
    return Field(name=name, schema={"type": "boolean"}, label=label, widget="checkbox", required=False, **options)


YES_NO = {"yes": t("是", "Yes"), "no": t("否", "No")}
BUSINESS_STATUSES = {"operating": t("开业", "Operating"), "suspended": t("歇业", "Suspended")}
COUNTRY_PATTERN = "^[A-Z]{2}$"
USCC_PATTERN = "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
PHONE_PATTERN = "^[+]?[0-9][0-9 -]{6,19}$"
PASSPORT_PATTERN = "^[A-Za-z0-9]{5,20}$"
MONTH_PATTERN = "^[0-9]{4}-(0[1-9]|1[0-2])$"
DISTRICT_CHOICES = {code: t(zh, en) for code, (zh, en) in data.DISTRICTS.items()}
ID_TYPES = {
    "resident_id": t("居民身份证", "Chinese resident ID card"),
    "hmt_permit": t("港澳台居民居住证", "Residence permit for Hong Kong, Macao and Taiwan residents"),
    "foreign_permanent_id": t("外国人永久居留身份证", "Foreigner's permanent residence ID card"),
    "passport": t("护照", "Passport"),
}
EMPLOYEE_ID_TYPES = {key: ID_TYPES[key] for key in ("resident_id", "passport")}

FIRM_NAME = text_field(
    "firm_name",
    t("单位名称", "Employer name"),
    max_length=200,
    prefill="firm.name_zh",
    authoritative=True,
    help=t("取自单位登记信息，不可修改。", "From the firm's registration record; it cannot be changed here."),
)
COMPANY_NAME = replace(FIRM_NAME, label=t("企业名称", "Company name"))
USCC = text_field(
    "uscc",
    t("统一社会信用代码", "Unified social credit code (USCC)"),
    max_length=18,
    pattern=USCC_PATTERN,
    prefill="firm.uscc",
    authoritative=True,
    help=t("18位统一社会信用代码，取自单位登记信息。", "The firm's 18-character code, from its registration record."),
)
CONTACT_PHONE = text_field(
    "contact_phone",
    t("联系电话", "Contact phone"),
    max_length=20,
    pattern=PHONE_PATTERN,
    widget="tel",
    prefill="account.phone",
    help=t(
        "手机号码或带区号的固定电话，如021-12345678。",
        "A mobile number or a landline with its area code, e.g. 021-12345678.",
    ),
)
NATIONALITY_HELP = t(
    "按护照所示选择。港澳台居民和内地居民是中国公民，不在此列。",
    "As shown in the passport. Residents of Hong Kong, Macao, Taiwan and the mainland are Chinese citizens and are not listed.",
)
PASSPORT_HELP = t("按护照所示填写字母和数字，不含空格。", "Letters and digits as in the passport, without spaces.")
LATIN_NAME_HELP = t(
    "按护照所示填写，姓在前、名在后，如 MARTIN Lucas。",
    "As printed in the passport, surname first, e.g. MARTIN Lucas.",
)


def foreign_employee_fields(*, with_birth_date: bool = True) -> tuple[Field, ...]:
    """The foreign employee's passport data (filled in by the applicant: the employer's HR)."""
    fields = [
        text_field("employee_name", t("姓名（护照）", "Name (as in the passport)"), help=LATIN_NAME_HELP),
        text_field(
            "passport_number",
            t("护照号码", "Passport number"),
            max_length=20,
            pattern=PASSPORT_PATTERN,
            help=PASSPORT_HELP,
        ),
        country_field("nationality", t("国籍", "Nationality"), help=NATIONALITY_HELP),
    ]
    if with_birth_date:
        fields.append(date_field("birth_date", t("出生日期", "Date of birth"), dates="past"))
    return tuple(fields)


PASSPORT_CONCERNED = (
    {"id_number_field": "passport_number", "nationality_field": "nationality", "name_field": "employee_name"},
)
#: The foreign guest a host registers (accommodation registration): the guest's own name field.
GUEST_CONCERNED = (
    {"id_number_field": "passport_number", "nationality_field": "nationality", "name_field": "guest_name"},
)


# --------------------------------------------------------------------------------------------
# Services


@dataclass(frozen=True)
class MaterialData:
    code: str
    name_zh: str
    name_en: str
    description_zh: str = ""
    description_en: str = ""
    required: bool = True
    government_may_hold: bool = False


@dataclass(frozen=True)
class ServiceData:
    """One service item with the content of its first version, its materials and its form."""

    code: str
    agency: str
    area: str  # identity.ServiceArea
    topics: tuple[str, ...]
    name_zh: str
    name_en: str
    summary_zh: str
    summary_en: str
    eligibility_zh: str
    eligibility_en: str
    conditions_zh: str
    conditions_en: str
    legal_basis_zh: str
    legal_basis_en: str
    applicants: str  # catalogue.Applicants: "person" (for himself), "firm" or "either" (ADR 0032)
    for_foreigners: bool
    workflow: str  # catalogue.Workflow: "instant" or "review"
    statutory_limit_workdays: int
    promised_limit_workdays: int
    channel: str  # catalogue.Channel: "online", "window" or "both"
    fully_online: bool
    form: Form
    materials: tuple[MaterialData, ...] = ()
    handling_level: str = "city"  # identity.OfficeLevel
    four_eyes: bool = False
    fee_zh: str = "不收费"
    fee_en: str = "Free of charge"
    fee_amount_fen: int = 0
    paper_result: bool = False  # the result is handed over on paper: pickup or post (ADR 0040)

    @property
    def for_individuals(self) -> bool:
        return self.applicants in {"person", "either"}

    @property
    def for_firms(self) -> bool:
        return self.applicants in {"firm", "either"}

    @property
    def contact_zh(self) -> str:
        agency = _agency(self.agency)
        return f"咨询电话：{agency.phone}（{agency.name_zh}，工作日9:00–17:00）"

    @property
    def contact_en(self) -> str:
        agency = _agency(self.agency)
        return f"Enquiries: {agency.phone} ({agency.name_en}, working days 9:00–17:00)"


def _agency(code: str) -> data.AgencyData:
    return next(agency for agency in data.AGENCIES if agency.code == code)


ANNUAL_REPORT = ServiceData(
    code="annual-report",
    agency="market-regulation",
    area="annual_report",
    topics=("business", "international"),
    name_zh="企业年度报告公示",
    name_en="Enterprise annual report",
    summary_zh=(
        "企业应当于每年1月1日至6月30日，通过国家企业信用信息公示系统向市场监督管理部门报送上一年度年度报告，"
        "并向社会公示。外商投资企业的投资信息通过年度报告一并报送，不再另行报送。"
    ),
    summary_en=(
        "Every company files a report on the previous year between 1 January and 30 June; the report is "
        "published in the National Enterprise Credit Information Publicity System. Foreign-invested enterprises "
        "report their foreign-investment information in the same filing, not separately."
    ),
    eligibility_zh="在本市登记注册的各类企业。当年设立登记的企业，自下一年起报送年度报告。",
    eligibility_en=(
        "Every company registered in the city. A company registered this year files its first annual report next year."
    ),
    conditions_zh=(
        "1. 报送时间为每年1月1日至6月30日；\n"
        "2. 企业对年度报告内容的真实性、及时性负责；\n"
        "3. 未按规定期限报送年度报告的，由市场监督管理部门列入经营异常名录。"
    ),
    conditions_en=(
        "1. File between 1 January and 30 June.\n"
        "2. The company is responsible for the report being true and on time.\n"
        "3. A company that does not file in time is put on the list of enterprises with abnormal operations."
    ),
    legal_basis_zh="《企业信息公示暂行条例》第八条\n《中华人民共和国外商投资法》第三十四条\n《外商投资信息报告办法》",
    legal_basis_en=(
        "Interim Regulations on Enterprise Information Disclosure, Article 8\n"
        "Foreign Investment Law of the People's Republic of China, Article 34\n"
        "Measures for Reporting Foreign Investment Information"
    ),
    applicants="firm",
    for_foreigners=False,
    workflow="instant",
    statutory_limit_workdays=0,
    promised_limit_workdays=0,
    channel="online",
    fully_online=True,
    form=Form(
        steps=(
            Step(
                "firm",
                t("企业基本信息", "Company"),
                (
                    COMPANY_NAME,
                    USCC,
                    CONTACT_PHONE,
                ),
            ),
            Step(
                "report",
                t("年度报告", "Annual report"),
                (
                    integer_field(
                        "report_year",
                        t("报告年度", "Year reported on"),
                        minimum=2000,
                        maximum=2100,
                        help=t(
                            "报送上一年度的年度报告，如2026年报送2025年度。",
                            "The previous year: in 2026 you report on 2025.",
                        ),
                    ),
                    choice_field(
                        "business_status",
                        t("经营状态", "Business status"),
                        BUSINESS_STATUSES,
                        widget="radio",
                    ),
                    integer_field(
                        "employee_count",
                        t("从业人数", "Number of employees"),
                        minimum=0,
                        maximum=1_000_000,
                        help=t(
                            "年末在职人数，含外籍员工。",
                            "Staff on the payroll at the end of the year, foreign staff included.",
                        ),
                    ),
                    choice_field(
                        "total_assets_band",
                        t("资产总额", "Total assets"),
                        {
                            "lt_1m": t("100万元以下", "Under 1 million yuan"),
                            "1m_10m": t("100万元（含）至1000万元", "1 to 10 million yuan"),
                            "10m_100m": t("1000万元（含）至1亿元", "10 to 100 million yuan"),
                            "gte_100m": t("1亿元及以上", "100 million yuan or more"),
                        },
                        help=t("以年末资产负债表为准。", "As in the balance sheet at the end of the year."),
                    ),
                    choice_field(
                        "has_foreign_investment",
                        t("是否有外商投资", "Does the company have foreign investors?"),
                        YES_NO,
                        widget="radio",
                        help=t(
                            "外商投资企业选择“是”，并填写外商投资信息。",
                            "Foreign-invested enterprises answer Yes and fill in the foreign-investment section.",
                        ),
                    ),
                ),
            ),
            Step(
                "foreign_investment",
                t("外商投资信息", "Foreign investment"),
                (
                    text_field("investor_name", t("外国投资者名称", "Name of the foreign investor"), max_length=200),
                    country_field(
                        "investor_country",
                        t("外国投资者国别（地区）", "Investor's country or region"),
                        purpose="country_or_region",
                    ),
                    number_field(
                        "foreign_share_percent",
                        t("外方出资比例（%）", "Foreign share of the capital (%)"),
                        minimum=0,
                        maximum=100,
                    ),
                ),
                visible_if={"field": "has_foreign_investment", "equals": "yes"},
            ),
        ),
    ),
)


def _employee_step(*, title: Text) -> Step:
    """An employee identified by resident ID or passport, for the social security filings."""
    return Step(
        "employee",
        title,
        (
            choice_field("employee_id_type", t("证件类型", "Type of ID"), EMPLOYEE_ID_TYPES, widget="radio"),
            text_field(
                "employee_id_number",
                t("证件号码", "ID number"),
                max_length=20,
                pattern="^[0-9A-Za-z]{5,20}$",
                help=t("居民身份证号码或护照号码。", "The resident ID card number or the passport number."),
            ),
            text_field(
                "employee_name",
                t("姓名", "Name"),
                help=t(
                    "外籍职工按护照填写，姓在前、名在后。", "For foreign employees, as in the passport, surname first."
                ),
            ),
            country_field(
                "employee_nationality",
                t("国籍", "Nationality"),
                help=NATIONALITY_HELP,
                visible_if={"field": "employee_id_type", "equals": "passport"},
            ),
        ),
    )


EMPLOYEE_CONCERNED = ({"id_number_field": "employee_id_number", "nationality_field": "employee_nationality"},)

SI_ENROLMENT = ServiceData(
    code="si-enrolment",
    agency="hrss",
    area="social_security",
    topics=("social-security", "employment", "international"),
    name_zh="社会保险参保登记（员工增员）",
    name_en="Social security enrolment of a new employee",
    summary_zh=(
        "用人单位应当自用工之日起三十日内，为新招用的职工办理社会保险参保登记（增员），自登记当月起按规定"
        "缴纳养老、医疗、失业、工伤、生育保险费。在本市就业的外国人依法参加社会保险。"
    ),
    summary_en=(
        "Within 30 days of a new employee's first working day, the employer enrols them in social security. "
        "Pension, medical, unemployment, work-injury and maternity contributions start from the month of "
        "enrolment. Foreign employees working in the city are enrolled too."
    ),
    eligibility_zh="在本市已办理社会保险登记的用人单位，为其新招用的职工（含外籍职工）办理。",
    eligibility_en="Employers registered for social security in the city, for each new employee, foreign employees included.",
    conditions_zh=(
        "1. 用人单位已在本市办理社会保险登记；\n"
        "2. 用人单位与职工已建立劳动关系；\n"
        "3. 外籍职工已取得外国人工作许可；\n"
        "4. 自用工之日起三十日内申报。"
    ),
    conditions_en=(
        "1. The employer is registered for social security in the city.\n"
        "2. The employee works for the employer under an employment contract.\n"
        "3. A foreign employee already holds a work permit.\n"
        "4. Enrol the employee within 30 days of their first working day."
    ),
    legal_basis_zh=(
        "《中华人民共和国社会保险法》第五十八条\n"
        "《在中国境内就业的外国人参加社会保险暂行办法》（人力资源和社会保障部令第16号）"
    ),
    legal_basis_en=(
        "Social Insurance Law of the People's Republic of China, Article 58\n"
        "Interim Measures for Foreigners Employed in China to Join Social Insurance (MOHRSS Order No. 16)"
    ),
    applicants="firm",
    for_foreigners=False,
    workflow="instant",
    statutory_limit_workdays=0,
    promised_limit_workdays=0,
    channel="online",
    fully_online=True,
    materials=(
        MaterialData(
            "foreign-staff-documents",
            "外籍职工护照及外国人工作许可证",
            "Foreign employee's passport and work permit",
            "仅为外籍职工参保时提供：护照信息页和工作许可证的扫描件。",
            "Only for a foreign employee: scans of the passport photo page and the work permit.",
            required=False,
        ),
    ),
    form=Form(
        steps=(
            Step("employer", t("用人单位", "Employer"), (FIRM_NAME, USCC)),
            _employee_step(title=t("新招用职工", "New employee")),
            Step(
                "contributions",
                t("参保信息", "Contributions"),
                (
                    date_field(
                        "start_on",
                        t("用工起始日期", "First working day"),
                        help=t("劳动合同约定的用工起始日期。", "The start date in the employment contract."),
                    ),
                    integer_field(
                        "contribution_base",
                        t("月缴费基数（元）", "Monthly contribution base (yuan)"),
                        minimum=0,
                        maximum=1_000_000,
                        help=t(
                            "按职工上年度月平均工资申报；低于本市缴费基数下限的按下限申报，高于上限的按上限申报。",
                            "The employee's average monthly wage last year. Below the city's minimum base, declare "
                            "the minimum; above its maximum, declare the maximum.",
                        ),
                    ),
                ),
            ),
        ),
        persons_concerned=EMPLOYEE_CONCERNED,
    ),
)

SI_TERMINATION = ServiceData(
    code="si-termination",
    agency="hrss",
    area="social_security",
    topics=("social-security", "employment"),
    name_zh="社会保险减员",
    name_en="Ending an employee's social security enrolment",
    summary_zh=(
        "职工与用人单位解除或者终止劳动关系的，用人单位应当为其办理社会保险减员，停止为其缴纳社会保险费，"
        "并在十五日内为其办理社会保险关系转移手续。"
    ),
    summary_en=(
        "When an employee leaves, the employer ends their social security enrolment, stops paying contributions "
        "for them and, within 15 days, arranges the transfer of their social security record."
    ),
    eligibility_zh="在本市参加社会保险的用人单位，为已解除或者终止劳动关系的职工（含外籍职工）办理。",
    eligibility_en="Employers in the city's social security scheme, for an employee (foreign employees included) who has left.",
    conditions_zh=(
        "1. 劳动关系已解除或者终止；\n"
        "2. 自劳动关系解除或者终止之日起十五日内办理；\n"
        "3. 外籍职工离职的，用人单位还应当按规定办理外国人工作许可注销。"
    ),
    conditions_en=(
        "1. The employment has ended.\n"
        "2. End the enrolment within 15 days of the last day of employment.\n"
        "3. When a foreign employee leaves, the employer must also have their work permit cancelled."
    ),
    legal_basis_zh="《中华人民共和国社会保险法》\n《中华人民共和国劳动合同法》第五十条",
    legal_basis_en=(
        "Social Insurance Law of the People's Republic of China\n"
        "Labour Contract Law of the People's Republic of China, Article 50"
    ),
    applicants="firm",
    for_foreigners=False,
    workflow="instant",
    statutory_limit_workdays=0,
    promised_limit_workdays=0,
    channel="online",
    fully_online=True,
    form=Form(
        steps=(
            Step("employer", t("用人单位", "Employer"), (FIRM_NAME, USCC)),
            _employee_step(title=t("减员职工", "Employee leaving")),
            Step(
                "termination",
                t("减员信息", "End of employment"),
                (
                    date_field("end_on", t("劳动关系终止日期", "Last day of employment")),
                    choice_field(
                        "end_reason",
                        t("减员原因", "Reason"),
                        {
                            "contract_expired": t("劳动合同期满终止", "The contract expired"),
                            "resigned": t("职工本人辞职", "The employee resigned"),
                            "mutual": t("协商一致解除", "Ended by mutual agreement"),
                            "dismissed": t("用人单位解除劳动合同", "Dismissed by the employer"),
                            "retired": t("退休", "Retired"),
                            "deceased": t("死亡", "Deceased"),
                            "other": t("其他", "Other"),
                        },
                    ),
                ),
            ),
        ),
        persons_concerned=EMPLOYEE_CONCERNED,
    ),
)


# The work permit's points table: 外国人来华工作分类标准（试行）, 2017. Option codes of the factors read
# from enum fields are the fields' enum values; the banded factors are read by points_fields below.
@dataclass(frozen=True)
class PointsOptionData:
    code: str
    label_zh: str
    label_en: str
    points: int


@dataclass(frozen=True)
class PointsFactorData:
    code: str
    name_zh: str
    name_en: str
    options: tuple[PointsOptionData, ...]


@dataclass(frozen=True)
class PointsTableData:
    code: str
    name_zh: str
    name_en: str
    source_zh: str
    source_en: str
    factors: tuple[PointsFactorData, ...]
    category_a_min: int = 85
    category_b_min: int = 60


def _o(code: str, zh: str, en: str, points: int) -> PointsOptionData:
    return PointsOptionData(code, zh, en, points)


WORK_PERMIT_POINTS = PointsTableData(
    code="work-permit",
    name_zh="外国人来华工作许可计点积分",
    name_en="Points for the foreigner's work permit",
    source_zh="《外国人来华工作分类标准（试行）》（2017年）计点积分要素；A类85分以上，B类60至84分，C类60分以下",
    source_en=(
        "Points factors of the Classification Standard for Foreigners Working in China (Trial), 2017; "
        "category A from 85 points, B 60 to 84, C below 60"
    ),
    factors=(
        PointsFactorData(
            "salary",
            "年薪收入",
            "Annual salary",
            (
                _o("s450", "45万元及以上", "450,000 yuan or more", 20),
                _o("s350", "35万元（含）至45万元", "350,000 to 449,999 yuan", 17),
                _o("s250", "25万元（含）至35万元", "250,000 to 349,999 yuan", 14),
                _o("s150", "15万元（含）至25万元", "150,000 to 249,999 yuan", 11),
                _o("s70", "7万元（含）至15万元", "70,000 to 149,999 yuan", 8),
                _o("s50", "5万元（含）至7万元", "50,000 to 69,999 yuan", 5),
                _o("s0", "5万元以下", "Under 50,000 yuan", 0),
            ),
        ),
        PointsFactorData(
            "education",
            "学历",
            "Education",
            (
                _o("doctorate", "博士", "Doctorate", 20),
                _o("master", "硕士", "Master's degree", 15),
                _o("bachelor", "学士", "Bachelor's degree", 10),
                _o("other", "其他", "Other", 0),
            ),
        ),
        PointsFactorData(
            "experience",
            "工作经历",
            "Work experience",
            (
                _o("y8", "8年及以上", "8 years or more", 15),
                _o("y7", "7年", "7 years", 14),
                _o("y6", "6年", "6 years", 12),
                _o("y5", "5年", "5 years", 10),
                _o("y4", "4年", "4 years", 8),
                _o("y3", "3年", "3 years", 6),
                _o("y2", "2年", "2 years", 4),
                _o("y0", "不足2年", "Less than 2 years", 0),
            ),
        ),
        PointsFactorData(
            "time_in_china",
            "年度在华工作时间",
            "Time working in China each year",
            (
                _o("nine_plus", "9个月及以上", "9 months or more", 15),
                _o("six_to_nine", "6个月（含）至9个月", "6 to 9 months", 12),
                _o("three_to_six", "3个月（含）至6个月", "3 to 6 months", 9),
                _o("under_three", "3个月以下", "Less than 3 months", 6),
            ),
        ),
        PointsFactorData(
            "chinese",
            "汉语水平",
            "Chinese proficiency",
            (
                _o("hsk5", "HSK五级及以上", "HSK 5 or higher", 5),
                _o("hsk4", "HSK四级", "HSK 4", 4),
                _o("hsk3", "HSK三级", "HSK 3", 3),
                _o("hsk2", "HSK二级", "HSK 2", 2),
                _o("hsk1", "HSK一级", "HSK 1", 1),
                _o("none", "无", "None", 0),
            ),
        ),
        PointsFactorData(
            "age",
            "年龄",
            "Age",
            (
                _o("a18", "18至25周岁", "18 to 25", 10),
                _o("a26", "26至45周岁", "26 to 45", 15),
                _o("a46", "46至55周岁", "46 to 55", 10),
                _o("a56", "56至60周岁", "56 to 60", 5),
                _o("a61", "60周岁以上", "Over 60", 0),
            ),
        ),
        PointsFactorData(
            "top200",
            "毕业于世界排名前200名高校",
            "Graduate of a world top-200 university",
            (_o("yes", "是", "Yes", 5), _o("no", "否", "No", 0)),
        ),
        PointsFactorData(
            "fortune500",
            "用人单位为世界500强企业",
            "Employer in the Fortune Global 500",
            (_o("yes", "是", "Yes", 5), _o("no", "否", "No", 0)),
        ),
    ),
)

POINTS_TABLES = (WORK_PERMIT_POINTS,)


def _choices_of(factor_code: str) -> dict[str, Text]:
    """Choices labelled like the points table's options (the enum values are the option codes)."""
    factor = next(item for item in WORK_PERMIT_POINTS.factors if item.code == factor_code)
    return {option.code: t(option.label_zh, option.label_en) for option in factor.options}


WORK_PERMIT_POINTS_FIELDS: dict[str, Any] = {
    "salary": {
        "field": "annual_salary",
        "min_bands": [
            [450_000, "s450"],
            [350_000, "s350"],
            [250_000, "s250"],
            [150_000, "s150"],
            [70_000, "s70"],
            [50_000, "s50"],
            [0, "s0"],
        ],
    },
    "education": "highest_degree",
    "experience": {
        "field": "experience_years",
        "min_bands": [[8, "y8"], [7, "y7"], [6, "y6"], [5, "y5"], [4, "y4"], [3, "y3"], [2, "y2"], [0, "y0"]],
    },
    "time_in_china": "months_in_china",
    "chinese": "chinese_level",
    "age": {
        "field": "birth_date",
        "age_bands": [[18, 25, "a18"], [26, 45, "a26"], [46, 55, "a46"], [56, 60, "a56"], [61, 150, "a61"]],
    },
    "top200": "top200_graduate",
    "fortune500": "fortune500_employer",
}

FW_WORK_PERMIT = ServiceData(
    code="fw-work-permit",
    agency="science-tech",
    area="foreign_staff",
    topics=("international", "employment"),
    name_zh="外国人来华工作许可",
    name_en="Foreigner's work permit (Notification and permit)",
    summary_zh=(
        "用人单位聘用外国人在本市工作的，应当为其申请外国人来华工作许可。外国人在境外的，先申请《外国人工作许可通知》，"
        "外国人凭通知申办工作签证（Z字签证）入境后，再申领《外国人工作许可证》。按照外国人来华工作分类标准，"
        "申请人分为外国高端人才（A类）、外国专业人才（B类）和其他外国人员（C类）。"
    ),
    summary_en=(
        "An employer who hires a foreigner to work in the city applies for the foreigner's work permit. If the "
        "employee is still abroad, the employer first gets a Notification of Work Permit; with it the employee "
        "applies for a work visa (Z visa), enters China and then receives the work permit itself. Applicants are "
        "classed as high-end talent (A), professionals (B) or others (C), partly by a points table."
    ),
    eligibility_zh="在本市依法设立的用人单位，为其拟聘用的外国人申请。",
    eligibility_en="An employer lawfully set up in the city, for a foreigner it intends to hire.",
    conditions_zh=(
        "1. 外国人年满18周岁，身体健康；\n"
        "2. 具有从事其工作所必需的专业技能和相应的工作经历；\n"
        "3. 无犯罪记录；\n"
        "4. 有确定的聘用单位；\n"
        "5. 持有有效护照或者能代替护照的其他国际旅行证件。"
    ),
    conditions_en=(
        "1. The employee is at least 18 years old and in good health.\n"
        "2. They have the professional skills and the work experience the job requires.\n"
        "3. They have no criminal record.\n"
        "4. A named employer hires them.\n"
        "5. They hold a valid passport or another international travel document."
    ),
    legal_basis_zh=(
        "《中华人民共和国出境入境管理法》第四十一条\n"
        "《外国人在中国就业管理规定》\n"
        "《外国人来华工作许可服务指南（暂行）》\n"
        "《外国人来华工作分类标准（试行）》"
    ),
    legal_basis_en=(
        "Exit and Entry Administration Law of the People's Republic of China, Article 41\n"
        "Rules for the Administration of Employment of Foreigners in China\n"
        "Service Guide for Foreigners' Work Permits in China (Interim)\n"
        "Classification Standard for Foreigners Working in China (Trial)"
    ),
    applicants="firm",
    for_foreigners=True,
    workflow="review",
    four_eyes=True,
    statutory_limit_workdays=10,
    promised_limit_workdays=5,
    channel="both",
    fully_online=True,
    # None is marked as held by the government yet. Later, through the exchange: the passport data
    # (exit-entry, for people already in China) and the health certificate (customs health centres).
    materials=(
        MaterialData(
            "passport",
            "护照信息页",
            "Passport photo page",
            "护照应在有效期内；外文材料（护照除外）须附中文译文。",
            "The passport must be valid. Documents in other languages (except the passport) need a Chinese translation.",
        ),
        MaterialData(
            "degree",
            "最高学位（学历）证书",
            "Highest degree certificate",
            "境外取得的证书须经公证认证或办理附加证明书（海牙认证），并附中文译文。",
            "A degree obtained abroad must be notarised and legalised, or carry an apostille, with a Chinese translation.",
        ),
        MaterialData(
            "criminal-record",
            "无犯罪记录证明",
            "Criminal record certificate",
            "由国籍国或经常居住地出具，出具时间在6个月以内，须经公证认证或办理附加证明书。",
            "Issued by the country of nationality or of usual residence within the last 6 months, notarised and "
            "legalised or with an apostille.",
        ),
        MaterialData(
            "health",
            "体检证明",
            "Health certificate",
            "由境内外卫生检疫部门出具，出具时间在6个月以内。",
            "From a health quarantine office in or outside China, issued within the last 6 months.",
        ),
        MaterialData(
            "contract",
            "劳动合同或聘用意向书",
            "Employment contract or letter of intent",
            "载明工作岗位、工作地点、工作期限和薪酬，由双方签字并加盖单位公章。",
            "Stating the job, place of work, term and pay; signed by both sides, with the employer's seal.",
        ),
    ),
    form=Form(
        steps=(
            Step(
                "employer",
                t("用人单位", "Employer"),
                (
                    FIRM_NAME,
                    USCC,
                    text_field("contact_name", t("联系人", "Contact person")),
                    CONTACT_PHONE,
                ),
            ),
            Step(
                "employee",
                t("外籍员工", "Foreign employee"),
                (
                    *foreign_employee_fields(),
                    email_field(
                        "employee_email",
                        t("电子邮箱", "E-mail address"),
                        help=t("用于接收工作许可通知。", "The Notification of Work Permit is sent here."),
                    ),
                    boolean_field(
                        "has_family",
                        t(
                            "有随行家属（配偶、未满18周岁子女）",
                            "Family members (spouse, children under 18) come along",
                        ),
                    ),
                ),
            ),
            Step(
                "job",
                t("工作岗位", "Job"),
                (
                    text_field("job_title", t("工作岗位", "Job title")),
                    date_field("start_on", t("拟入职日期", "Planned start date"), dates="future"),
                    integer_field(
                        "contract_months",
                        t("合同期限（月）", "Contract length (months)"),
                        minimum=1,
                        maximum=60,
                        help=t("工作许可有效期最长5年。", "A work permit is valid for at most 5 years."),
                    ),
                    integer_field(
                        "annual_salary",
                        t("税前年薪（元）", "Annual salary before tax (yuan)"),
                        minimum=0,
                        maximum=100_000_000,
                        help=t(
                            "按劳动合同约定的年度税前收入填写，人民币元。",
                            "Yearly pay before tax in the contract, in yuan.",
                        ),
                    ),
                    choice_field(
                        "months_in_china",
                        t("每年在华工作时间", "Months a year working in China"),
                        _choices_of("time_in_china"),
                        widget="radio",
                    ),
                ),
            ),
            Step(
                "qualifications",
                t("学历和能力", "Qualifications"),
                (
                    choice_field(
                        "highest_degree", t("最高学位", "Highest degree"), _choices_of("education"), widget="radio"
                    ),
                    integer_field(
                        "experience_years",
                        t("相关工作经历（年）", "Years of relevant work experience"),
                        minimum=0,
                        maximum=50,
                        help=t(
                            "与拟从事工作相关的全职工作年限，按整年计算。",
                            "Full years of full-time work related to the job.",
                        ),
                    ),
                    choice_field("chinese_level", t("汉语水平", "Chinese proficiency"), _choices_of("chinese")),
                    choice_field(
                        "top200_graduate",
                        t("是否毕业于世界排名前200名的高校", "Graduated from one of the world's top 200 universities?"),
                        YES_NO,
                        widget="radio",
                    ),
                    choice_field(
                        "fortune500_employer",
                        t("用人单位是否为世界500强企业", "Is the employer in the Fortune Global 500?"),
                        YES_NO,
                        widget="radio",
                    ),
                ),
            ),
            Step(
                "family",
                t("随行家属", "Accompanying family"),
                (
                    text_field(
                        "spouse_name", t("配偶姓名（护照）", "Spouse's name (as in the passport)"), required=False
                    ),
                    text_field(
                        "spouse_passport_number",
                        t("配偶护照号码", "Spouse's passport number"),
                        max_length=20,
                        pattern=PASSPORT_PATTERN,
                        required=False,
                    ),
                    integer_field(
                        "children_count",
                        t("随行未满18周岁子女人数", "Number of children under 18 coming along"),
                        minimum=0,
                        maximum=10,
                    ),
                ),
                visible_if={"field": "has_family", "equals": True},
            ),
        ),
        persons_concerned=PASSPORT_CONCERNED,
        points_table="work-permit",
        points_fields=WORK_PERMIT_POINTS_FIELDS,
    ),
)

FW_RESIDENCE_PERMIT = ServiceData(
    code="fw-residence-permit",
    paper_result=True,  # the permit is put in the passport, which the employee gets back
    agency="exit-entry",
    area="foreign_staff",
    topics=("international", "residence"),
    name_zh="外国人工作类居留许可",
    name_en="Residence permit for work (foreigners)",
    summary_zh=(
        "已取得外国人工作许可的外国人，持工作签证入境的，应当自入境之日起三十日内向居留地公安机关出入境管理机构"
        "申请办理工作类居留许可。工作类居留许可有效期最短为九十日，最长为五年。"
    ),
    summary_en=(
        "A foreigner who holds a work permit and entered China on a work visa applies for a residence permit for "
        "work within 30 days of arrival. The permit is valid for at least 90 days and at most 5 years."
    ),
    eligibility_zh="持有外国人工作许可、在本市工作的外国人，由本人申请或由聘用单位代为申请；本人须到场留存指纹等信息。",
    eligibility_en=(
        "A foreigner who holds a work permit and works in the city. The foreigner or their employer applies; the "
        "foreigner comes in person once to give fingerprints."
    ),
    conditions_zh=(
        "1. 已取得外国人工作许可；\n"
        "2. 持有效护照及工作签证（Z字签证），或持其他有效居留许可申请变更；\n"
        "3. 已办理境外人员住宿登记；\n"
        "4. 持工作签证入境的，自入境之日起三十日内申请。"
    ),
    conditions_en=(
        "1. The foreigner holds a work permit.\n"
        "2. They hold a valid passport and a work visa (Z visa), or another valid residence permit they are changing.\n"
        "3. Their accommodation has been registered with the police.\n"
        "4. On a work visa, apply within 30 days of entry."
    ),
    legal_basis_zh="《中华人民共和国出境入境管理法》第三十条\n《中华人民共和国外国人入境出境管理条例》",
    legal_basis_en=(
        "Exit and Entry Administration Law of the People's Republic of China, Article 30\n"
        "Regulations on the Administration of the Entry and Exit of Foreigners"
    ),
    applicants="either",
    for_foreigners=True,
    workflow="review",
    statutory_limit_workdays=15,
    promised_limit_workdays=7,
    channel="both",
    fully_online=False,
    fee_zh="400元（有效期不满1年）；800元（1年至不满3年）；1000元（3年至5年）",
    fee_en="Yuan 400 (valid less than 1 year); Yuan 800 (1 to under 3 years); Yuan 1,000 (3 to 5 years)",
    fee_amount_fen=40_000,
    materials=(
        MaterialData(
            "passport",
            "护照信息页及签证页",
            "Passport photo page and visa page",
            "受理时须交验护照原件。",
            "Bring the original passport when you come in person.",
        ),
        MaterialData(
            "photo",
            "证件照片",
            "Photo",
            "近6个月内正面免冠彩色照片，白色背景，48毫米×33毫米。",
            "A colour photo taken within the last 6 months: facing forward, no hat, white background, 48 mm × 33 mm.",
        ),
        MaterialData(
            "work-permit",
            "外国人工作许可证",
            "Foreigner's work permit",
            "由本市核发的，出入境管理机构可通过数据共享核验。",
            "If the city issued it, the Exit-Entry Administration can check it with the issuing agency.",
            government_may_hold=True,
        ),
        MaterialData(
            "accommodation",
            "境外人员住宿登记表",
            "Accommodation registration form",
            "已在本市公安机关办理住宿登记的，可在线核验。",
            "If the accommodation was registered with the city's police, it can be checked online.",
            government_may_hold=True,
        ),
        MaterialData(
            "employer-letter",
            "聘用单位函件",
            "Letter from the employer",
            "载明聘用情况、申请事由和拟居留期限，加盖单位公章。",
            "Stating the employment, the reason for the application and the period of stay, with the employer's seal.",
        ),
    ),
    form=Form(
        steps=(
            Step("employee", t("外国人", "The foreigner"), foreign_employee_fields()),
            Step(
                "stay",
                t("工作许可和居留", "Work permit and stay"),
                (
                    text_field(
                        "work_permit_number",
                        t("外国人工作许可证编号", "Work permit number"),
                        max_length=30,
                        pattern="^[0-9A-Za-z]{6,30}$",
                    ),
                    text_field("address", t("在本市居住地址", "Home address in the city"), max_length=200),
                    choice_field("district", t("居住地所在区", "District"), DISTRICT_CHOICES),
                    choice_field(
                        "duration",
                        t("申请居留期限", "Length of stay requested"),
                        {
                            "under_1y": t("不满1年", "Less than 1 year"),
                            "1y_to_3y": t("1年（含）至不满3年", "1 year to under 3 years"),
                            "3y_to_5y": t("3年（含）至5年", "3 to 5 years"),
                        },
                        help=t(
                            "不超过工作许可和护照的有效期。",
                            "No longer than the work permit and the passport are valid.",
                        ),
                    ),
                ),
            ),
        ),
        persons_concerned=({**PASSPORT_CONCERNED[0], "self": True},),
    ),
)

BUSINESS_CHANGE = ServiceData(
    code="business-change",
    agency="market-regulation",
    area="licences",
    topics=("business",),
    name_zh="营业执照变更登记",
    name_en="Change of business registration",
    summary_zh=(
        "企业名称、住所、法定代表人、注册资本、经营范围、股东（投资人）等登记事项发生变更的，应当自作出变更决议、"
        "决定或者法定变更事项发生之日起三十日内向登记机关申请变更登记，换发营业执照。"
    ),
    summary_en=(
        "When a company changes its name, address, legal representative, registered capital, business scope or "
        "shareholders, it applies to change its registration within 30 days of the decision and receives a new "
        "business licence."
    ),
    eligibility_zh="在本市登记注册的企业。",
    eligibility_en="Companies registered in the city.",
    conditions_zh=(
        "1. 变更事项已依照法律和公司章程作出决议或者决定；\n"
        "2. 变更后的名称、住所、经营范围等符合登记管理规定；\n"
        "3. 变更事项依法须经批准的，已取得批准文件；\n"
        "4. 自作出变更决议、决定之日起三十日内申请。"
    ),
    conditions_en=(
        "1. The change was decided as the law and the articles of association require.\n"
        "2. The new name, address or business scope meets the registration rules.\n"
        "3. Where the change needs approval by law, the approval has been obtained.\n"
        "4. Apply within 30 days of the decision."
    ),
    legal_basis_zh="《中华人民共和国市场主体登记管理条例》第二十四条\n《中华人民共和国公司法》",
    legal_basis_en=(
        "Regulations on the Registration and Administration of Market Entities, Article 24\n"
        "Company Law of the People's Republic of China"
    ),
    applicants="firm",
    for_foreigners=False,
    workflow="review",
    handling_level="district",
    statutory_limit_workdays=15,
    promised_limit_workdays=3,
    channel="both",
    fully_online=True,
    materials=(
        MaterialData(
            "application",
            "变更登记申请书",
            "Application for change of registration",
            "由法定代表人签署。",
            "Signed by the legal representative.",
        ),
        MaterialData(
            "resolution",
            "股东会决议或者股东决定",
            "Shareholders' resolution or decision",
            "依照公司章程作出的变更决议或者决定。",
            "The resolution or decision making the change, taken as the articles of association require.",
        ),
        MaterialData(
            "articles-amendment",
            "公司章程修正案",
            "Amendment to the articles of association",
            "变更事项涉及章程记载内容的提供。",
            "Only if the change affects what the articles of association say.",
            required=False,
        ),
        MaterialData(
            "premises",
            "新住所使用证明",
            "Proof of the right to use the new premises",
            "变更住所的提供，如房屋租赁合同和产权证明。",
            "Only when moving: e.g. the lease and the proof of ownership.",
            required=False,
        ),
    ),
    form=Form(
        steps=(
            Step("firm", t("企业信息", "Company"), (COMPANY_NAME, USCC, CONTACT_PHONE)),
            Step(
                "change",
                t("变更事项", "The change"),
                (
                    choices_field(
                        "change_items",
                        t("变更事项", "What changes"),
                        {
                            "name": t("名称", "Name"),
                            "address": t("住所", "Registered address"),
                            "legal_representative": t("法定代表人", "Legal representative"),
                            "registered_capital": t("注册资本", "Registered capital"),
                            "business_scope": t("经营范围", "Business scope"),
                            "shareholders": t("股东（投资人）", "Shareholders (investors)"),
                        },
                    ),
                    date_field("decided_on", t("决议（决定）日期", "Date of the decision"), dates="past"),
                    multiline_field(
                        "change_details",
                        t("变更内容", "Details of the change"),
                        help=t("逐项写明变更前和变更后的内容。", "For each item, write the old and the new entry."),
                    ),
                ),
            ),
        ),
    ),
)

FOOD_LICENCE = ServiceData(
    code="food-licence",
    agency="market-regulation",
    area="licences",
    topics=("business",),
    name_zh="食品经营许可证核发",
    name_en="Food business licence",
    summary_zh=(
        "在本市从事食品销售和餐饮服务活动的，应当依法取得食品经营许可。市场监督管理部门对申请材料进行审查，"
        "必要时对经营场所进行现场核查，符合条件的核发《食品经营许可证》。仅销售预包装食品的，实行备案管理。"
    ),
    summary_en=(
        "Selling food or running a restaurant, café or canteen in the city needs a food business licence. The "
        "market regulator checks the documents, may inspect the premises, and issues the licence if the "
        "conditions are met. Selling only prepackaged food needs a filing instead of a licence."
    ),
    eligibility_zh="拟在本市从事食品销售、餐饮服务或者经营单位食堂的企业。",
    eligibility_en="Companies that intend to sell food, run a catering business or run a staff canteen in the city.",
    conditions_zh=(
        "1. 具有与经营的食品品种、数量相适应的经营场所，保持场所环境整洁，并与有毒、有害场所以及其他污染源保持规定的距离；\n"
        "2. 具有与经营的食品品种、数量相适应的经营设备或者设施；\n"
        "3. 有专职或者兼职的食品安全管理人员和保证食品安全的规章制度；\n"
        "4. 具有合理的设备布局和工艺流程，防止交叉污染。"
    ),
    conditions_en=(
        "1. Premises suited to the kinds and amounts of food, kept clean and at the required distance from toxic "
        "or polluting sites.\n"
        "2. Equipment and facilities suited to the food handled.\n"
        "3. A full- or part-time food safety manager, and food safety rules.\n"
        "4. A layout and work flow that prevent cross-contamination."
    ),
    legal_basis_zh=(
        "《中华人民共和国食品安全法》第三十五条\n《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）"
    ),
    legal_basis_en=(
        "Food Safety Law of the People's Republic of China, Article 35\n"
        "Measures for the Licensing and Filing of Food Businesses (SAMR Order No. 78)"
    ),
    applicants="firm",
    for_foreigners=False,
    workflow="review",
    handling_level="district",
    statutory_limit_workdays=20,
    promised_limit_workdays=10,
    channel="both",
    fully_online=False,
    materials=(
        MaterialData(
            "application",
            "食品经营许可申请书",
            "Application for a food business licence",
            "由法定代表人签署。",
            "Signed by the legal representative.",
        ),
        MaterialData(
            "floor-plan",
            "经营场所平面布局图及设备布局、操作流程说明",
            "Floor plan of the premises, with the equipment layout and work flow",
            "标明各功能区域、主要设备位置和食品加工流向。",
            "Showing the work areas, where the main equipment stands and how food moves through the premises.",
        ),
        MaterialData(
            "safety-rules",
            "保证食品安全的规章制度",
            "Food safety rules",
            "包括进货查验、从业人员健康管理、食品安全自查等制度。",
            "Including checks on incoming goods, staff health and the business's own food safety checks.",
        ),
        MaterialData(
            "premises",
            "经营场所使用证明",
            "Proof of the right to use the premises",
            "如房屋租赁合同和产权证明。",
            "For example the lease and the proof of ownership.",
        ),
    ),
    form=Form(
        steps=(
            Step("firm", t("申请单位", "Applicant"), (COMPANY_NAME, USCC, CONTACT_PHONE)),
            Step(
                "business",
                t("经营信息", "The business"),
                (
                    text_field("premises_address", t("经营场所地址", "Address of the premises"), max_length=200),
                    choice_field(
                        "business_type",
                        t("主体业态", "Type of business"),
                        {
                            "food_sales": t("食品销售经营者", "Food shop or seller"),
                            "catering": t("餐饮服务经营者", "Restaurant or other catering"),
                            "canteen": t("单位食堂", "Staff or school canteen"),
                        },
                        widget="radio",
                    ),
                    choices_field(
                        "food_items",
                        t("经营项目", "What you will sell or make"),
                        {
                            "prepackaged": t(
                                "预包装食品销售（含冷藏冷冻食品）", "Prepackaged food (including chilled and frozen)"
                            ),
                            "bulk": t("散装食品销售", "Loose (unpackaged) food"),
                            "hot_food": t("热食类食品制售", "Cooked hot food"),
                            "cold_food": t("冷食类食品制售", "Cold dishes"),
                            "raw_food": t("生食类食品制售", "Raw food, e.g. sashimi"),
                            "pastries": t("糕点类食品制售", "Pastries and cakes"),
                            "drinks": t("自制饮品制售", "Drinks made on site"),
                        },
                    ),
                    integer_field(
                        "floor_area",
                        t("经营场所面积（平方米）", "Floor area (square metres)"),
                        minimum=1,
                        maximum=100_000,
                    ),
                    text_field("safety_manager", t("食品安全管理人员姓名", "Name of the food safety manager")),
                ),
            ),
        ),
    ),
)

TAX_CLEARANCE = ServiceData(
    code="tax-clearance",
    agency="taxation",
    area="tax",
    topics=("tax",),
    name_zh="开具无欠税证明",
    name_en="Tax clearance certificate",
    summary_zh=(
        "纳税人因出境、投标、融资等需要，可以申请开具《无欠税证明》。经查询税收征管信息系统，纳税人不存在欠税情形的，"
        "税务机关予以开具。"
    ),
    summary_en=(
        "A taxpayer who needs proof of owing no tax, for example to leave China, bid for a contract or borrow "
        "money, can ask for a tax clearance certificate. The tax office checks its records and issues the "
        "certificate if no tax is owed."
    ),
    eligibility_zh="已办理税务登记的单位纳税人，以及已向税务机关办理过纳税申报或扣缴申报的自然人纳税人。",
    eligibility_en=(
        "Companies registered for tax, and individuals whose income has been declared to the tax office by "
        "themselves or by an employer."
    ),
    conditions_zh=(
        "申请时纳税人不存在欠税情形，即：\n"
        "1. 不存在应申报未申报的记录；\n"
        "2. 不存在已过缴纳期限而未缴纳的税款，包括经批准延期缴纳期限已满、税务检查已查定应补而未缴纳的税款。"
    ),
    conditions_en=(
        "The taxpayer owes no tax, that is:\n"
        "1. No tax return is overdue.\n"
        "2. No tax is unpaid after its due date, including tax whose approved deferral has ended and tax found "
        "owing in a tax audit."
    ),
    legal_basis_zh=(
        "《中华人民共和国税收征收管理法》\n"
        "《国家税务总局关于开具〈无欠税证明〉有关事项的公告》（国家税务总局公告2019年第47号）"
    ),
    legal_basis_en=(
        "Law of the People's Republic of China on the Administration of Tax Collection\n"
        "Announcement of the State Taxation Administration on Issuing Tax Clearance Certificates "
        "(STA Announcement No. 47 of 2019)"
    ),
    applicants="either",
    for_foreigners=False,
    workflow="review",
    statutory_limit_workdays=5,
    promised_limit_workdays=1,
    channel="both",
    fully_online=True,
    form=Form(
        steps=(
            Step(
                "taxpayer",
                t("纳税人类型", "Taxpayer"),
                (
                    choice_field(
                        "taxpayer_kind",
                        t("纳税人类型", "Who is the taxpayer?"),
                        {
                            "firm": t("单位纳税人", "A company"),
                            "individual": t("自然人纳税人", "An individual"),
                        },
                        widget="radio",
                        help=t(
                            "为单位申请的，请以单位身份办理。", "To apply for a company, start the application for it."
                        ),
                    ),
                ),
            ),
            Step(
                "firm",
                t("单位信息", "Company"),
                (replace(FIRM_NAME, label=t("纳税人名称", "Taxpayer name")), USCC),
                visible_if={"field": "taxpayer_kind", "equals": "firm"},
            ),
            Step(
                "individual",
                t("个人信息", "Individual"),
                (
                    text_field(
                        "taxpayer_name",
                        t("姓名", "Name"),
                        prefill="person.name",
                        authoritative=True,
                        help=t("取自本人身份信息。", "From your identity record."),
                    ),
                    text_field(
                        "taxpayer_id_number",
                        t("证件号码", "ID number"),
                        max_length=20,
                        prefill="person.id_number",
                        authoritative=True,
                        help=t("取自本人身份信息，不可修改。", "From your identity record; it cannot be changed here."),
                    ),
                ),
                visible_if={"field": "taxpayer_kind", "equals": "individual"},
            ),
            Step(
                "purpose",
                t("开具用途", "Purpose"),
                (
                    choice_field(
                        "purpose",
                        t("开具用途", "What do you need it for?"),
                        {
                            "leaving_china": t("出境", "Leaving China"),
                            "bidding": t("投标", "Bidding for a contract"),
                            "financing": t("融资贷款", "A loan or other financing"),
                            "other": t("其他", "Other"),
                        },
                    ),
                    CONTACT_PHONE,
                ),
            ),
        ),
    ),
)


def _period_fields() -> tuple[Field, Field]:
    month_help = t("格式为“年-月”，如2025-01。", "Year and month, e.g. 2025-01.")
    return (
        text_field("period_from", t("起始年月", "From (month)"), max_length=7, pattern=MONTH_PATTERN, help=month_help),
        text_field("period_to", t("截止年月", "To (month)"), max_length=7, pattern=MONTH_PATTERN, help=month_help),
    )


def _own_identity_fields(*, name_help: Text) -> tuple[Field, ...]:
    """The applicant's own identity, for services people use for themselves."""
    return (
        text_field("applicant_name", t("姓名", "Name"), prefill="person.name", help=name_help),
        choice_field(
            "id_type",
            t("证件类型", "Type of ID"),
            ID_TYPES,
            prefill="person.id_type",
            authoritative=True,
        ),
        text_field(
            "id_number",
            t("证件号码", "ID number"),
            max_length=20,
            prefill="person.id_number",
            authoritative=True,
            help=t("取自本人身份信息，不可修改。", "From your identity record; it cannot be changed here."),
        ),
    )


FOREIGN_NAME_HELP = t(
    "外籍人员填写中文姓名或护照上的姓名。", "Foreigners: your Chinese name, or your name as in the passport."
)

INDIVIDUAL_TAX_RECORD = ServiceData(
    code="individual-tax-record",
    agency="taxation",
    area="tax",
    topics=("tax", "international"),
    name_zh="个人所得税纳税记录开具",
    name_en="Individual income tax record",
    summary_zh=(
        "纳税人可以开具本人的个人所得税《纳税记录》，用于办理签证、贷款、居住证积分等事项。《纳税记录》即时开具，"
        "附有验证码，可在线查验真伪。"
    ),
    summary_en=(
        "Print a record of your individual income tax, for example for a visa, a bank loan or a residence "
        "application. It is issued at once and carries a code anyone can use to check it online."
    ),
    eligibility_zh="在本市办理过个人所得税纳税申报，或由扣缴义务人办理过扣缴申报的自然人纳税人（含外籍个人）。",
    eligibility_en=(
        "Any individual, foreigners included, whose income tax has been declared in the city by themselves or "
        "withheld by an employer."
    ),
    conditions_zh=(
        "1. 2019年1月1日以后取得的应税所得，已由扣缴义务人办理扣缴申报或者本人办理纳税申报的，不论是否实际缴纳税款，"
        "均可开具；\n"
        "2. 开具期间为2019年1月至上月。"
    ),
    conditions_en=(
        "1. Covers income from 1 January 2019 on that your employer or you declared, whether or not tax was due.\n"
        "2. Choose a period from January 2019 up to last month."
    ),
    legal_basis_zh=(
        "《中华人民共和国个人所得税法》\n"
        "《国家税务总局关于将个人所得税〈税收完税证明〉（文书式）调整为〈纳税记录〉有关事项的公告》"
        "（国家税务总局公告2018年第55号）"
    ),
    legal_basis_en=(
        "Individual Income Tax Law of the People's Republic of China\n"
        "Announcement of the State Taxation Administration on Replacing the Individual Income Tax Payment "
        "Certificate with the Tax Record (STA Announcement No. 55 of 2018)"
    ),
    applicants="person",
    for_foreigners=True,
    workflow="instant",
    statutory_limit_workdays=0,
    promised_limit_workdays=0,
    channel="both",
    fully_online=True,
    form=Form(
        steps=(
            Step("taxpayer", t("纳税人", "Taxpayer"), _own_identity_fields(name_help=FOREIGN_NAME_HELP)),
            Step(
                "record",
                t("开具信息", "The record"),
                (
                    *_period_fields(),
                    choice_field(
                        "purpose",
                        t("开具用途", "What do you need it for?"),
                        {
                            "visa": t("办理签证", "A visa application"),
                            "loan": t("贷款", "A bank loan"),
                            "residence": t("居住证积分或落户", "Residence points or household registration"),
                            "other": t("其他", "Other"),
                        },
                    ),
                ),
            ),
        ),
    ),
)

UNEMPLOYMENT_BENEFIT = ServiceData(
    code="unemployment-benefit",
    agency="hrss",
    area="social_security",
    topics=("social-security", "employment"),
    name_zh="失业保险金申领",
    name_en="Unemployment benefit",
    summary_zh=(
        "参加失业保险的人员非因本人意愿中断就业，已办理失业登记并有求职要求的，可以申领失业保险金；领取期间享受"
        "基本医疗保险待遇和职业介绍、职业培训等就业服务。"
    ),
    summary_en=(
        "If you lose your job through no choice of your own, have paid unemployment insurance and are looking for "
        "work, you can claim unemployment benefit. While you receive it you keep basic medical insurance and can "
        "use job-finding and training services."
    ),
    eligibility_zh="在本市参加失业保险、非因本人意愿中断就业的人员。",
    eligibility_en="People insured against unemployment in the city who lost their job through no choice of their own.",
    conditions_zh=(
        "1. 失业前用人单位和本人已经缴纳失业保险费满一年；\n"
        "2. 非因本人意愿中断就业；\n"
        "3. 已经进行失业登记，并有求职要求；\n"
        "4. 未达到法定退休年龄，且未享受基本养老保险待遇。"
    ),
    conditions_en=(
        "1. You and your employer paid unemployment insurance for at least one year before you lost the job.\n"
        "2. The job ended through no choice of your own.\n"
        "3. You have registered as unemployed and are looking for work.\n"
        "4. You are under the statutory retirement age and receive no pension."
    ),
    legal_basis_zh="《中华人民共和国社会保险法》第四十五条、第四十六条\n《失业保险条例》\n《失业保险金申领发放办法》",
    legal_basis_en=(
        "Social Insurance Law of the People's Republic of China, Articles 45 and 46\n"
        "Regulations on Unemployment Insurance\n"
        "Measures for Claiming and Paying Unemployment Benefit"
    ),
    applicants="person",
    for_foreigners=False,
    workflow="review",
    handling_level="district",
    statutory_limit_workdays=20,
    promised_limit_workdays=10,
    channel="both",
    fully_online=True,
    materials=(
        MaterialData(
            "termination-proof",
            "解除或者终止劳动关系证明",
            "Proof that the employment ended",
            "由原用人单位出具，载明解除或者终止劳动关系的日期和原因。",
            "Issued by your last employer, stating the date and the reason the employment ended.",
        ),
        MaterialData(
            "bank-card",
            "本人社会保障卡或银行卡",
            "Your social security card or bank card",
            "用于发放失业保险金，须为本人实名账户。",
            "The benefit is paid into this account, which must be in your own name.",
            required=False,
        ),
    ),
    form=Form(
        steps=(
            Step(
                "applicant",
                t("申请人", "Applicant"),
                (
                    text_field(
                        "applicant_name",
                        t("姓名", "Name"),
                        prefill="person.name",
                        authoritative=True,
                        help=t("取自本人身份信息。", "From your identity record."),
                    ),
                    text_field(
                        "id_number",
                        t("公民身份号码", "Resident ID number"),
                        max_length=20,
                        prefill="person.id_number",
                        authoritative=True,
                        help=t("取自本人身份信息，不可修改。", "From your identity record; it cannot be changed here."),
                    ),
                    replace(CONTACT_PHONE, label=t("手机号码", "Mobile phone")),
                ),
            ),
            Step(
                "job",
                t("失业情况", "The job you lost"),
                (
                    text_field("last_employer", t("原用人单位名称", "Last employer"), max_length=200),
                    date_field("employment_end_on", t("劳动关系终止日期", "Last day of employment")),
                    choice_field(
                        "end_reason",
                        t("中断就业原因", "Why the job ended"),
                        {
                            "contract_expired": t("劳动合同期满终止", "The contract expired"),
                            "dismissed": t("被用人单位解除劳动合同", "The employer dismissed you"),
                            "employer_closed": t(
                                "用人单位破产、关闭或者被撤销", "The employer closed down or went bankrupt"
                            ),
                            "employer_fault": t(
                                "因用人单位过错由本人解除劳动合同",
                                "You ended the contract because of the employer's fault, e.g. unpaid wages",
                            ),
                            "other": t("其他非本人意愿中断就业的情形", "Another reason not of your choosing"),
                        },
                    ),
                ),
            ),
            Step(
                "payment",
                t("发放账户", "Payment"),
                (
                    text_field(
                        "bank_account",
                        t("本人银行账号", "Your bank account number"),
                        max_length=30,
                        pattern="^[0-9]{12,30}$",
                        help=t("须为本人实名账户，仅填数字。", "An account in your own name; digits only."),
                    ),
                ),
            ),
        ),
    ),
)

SI_CONTRIBUTION_RECORD = ServiceData(
    code="si-contribution-record",
    agency="hrss",
    area="social_security",
    topics=("social-security", "international"),
    name_zh="个人社保缴费记录打印",
    name_en="Print of personal social security contributions",
    summary_zh=(
        "参保人员可以查询并打印本人在本市的社会保险缴费记录（参保缴费凭证），用于办理居住证积分、购房、子女入学、签证等事项。"
        "凭证附有验证码，可在线核验真伪。"
    ),
    summary_en=(
        "Print the record of your social security contributions in the city, for example for a residence points "
        "application, buying a home, a child's school place or a visa. The print carries a code anyone can use to "
        "check it online."
    ),
    eligibility_zh="在本市参加社会保险的人员（含外籍人员）。",
    eligibility_en="Anyone insured in the city's social security scheme, foreigners included.",
    conditions_zh="可以打印参保以来任意期间的缴费记录；当月缴费可能尚未记账。",
    conditions_en="You can print any period since you were first insured. This month's contributions may not be recorded yet.",
    legal_basis_zh="《中华人民共和国社会保险法》第七十四条",
    legal_basis_en="Social Insurance Law of the People's Republic of China, Article 74",
    applicants="person",
    for_foreigners=True,
    workflow="instant",
    statutory_limit_workdays=0,
    promised_limit_workdays=0,
    channel="both",
    fully_online=True,
    form=Form(
        steps=(
            Step("insured", t("参保人", "Insured person"), _own_identity_fields(name_help=FOREIGN_NAME_HELP)),
            Step(
                "record",
                t("打印内容", "What to print"),
                (
                    *_period_fields(),
                    choices_field(
                        "insurance_types",
                        t("险种", "Insurance"),
                        {
                            "pension": t("养老保险", "Pension"),
                            "medical": t("医疗保险", "Medical insurance"),
                            "unemployment": t("失业保险", "Unemployment insurance"),
                            "work_injury": t("工伤保险", "Work-injury insurance"),
                            "maternity": t("生育保险", "Maternity insurance"),
                        },
                    ),
                ),
            ),
        ),
    ),
)

ACCOMMODATION_REGISTRATION = ServiceData(
    code="accommodation-registration",
    agency="exit-entry",
    area="foreign_staff",
    topics=("international", "residence"),
    name_zh="境外人员住宿登记",
    name_en="Accommodation registration for foreigners",
    summary_zh=(
        "外国人在旅馆以外的其他住所居住或者住宿的，应当在入住后二十四小时内，由本人或者留宿人向居住地公安机关办理住宿登记。"
        "网上办理的，即时取得住宿登记回执。"
    ),
    summary_en=(
        "A foreigner who stays anywhere other than a hotel, such as a rented flat or a friend's home, must be "
        "registered with the local police within 24 hours of moving in. The foreigner, the landlord or host, or the "
        "employer can register online and get the receipt at once."
    ),
    eligibility_zh="在旅馆以外住所居住或者住宿的外国人本人、留宿人（房东、亲友），或者其聘用单位。",
    eligibility_en="The foreigner, the landlord or host, or the foreigner's employer.",
    conditions_zh=(
        "1. 入住后二十四小时内办理；\n"
        "2. 更换住所，或者护照、签证、居留许可信息变更的，应当重新登记；\n"
        "3. 在旅馆住宿的，由旅馆办理，无需另行申报。"
    ),
    conditions_en=(
        "1. Register within 24 hours of moving in.\n"
        "2. Register again after moving, or when the passport, visa or residence permit changes.\n"
        "3. Hotels register their guests; guests need not register themselves."
    ),
    legal_basis_zh="《中华人民共和国出境入境管理法》第三十九条\n《中华人民共和国外国人入境出境管理条例》",
    legal_basis_en=(
        "Exit and Entry Administration Law of the People's Republic of China, Article 39\n"
        "Regulations on the Administration of the Entry and Exit of Foreigners"
    ),
    applicants="either",
    for_foreigners=True,
    workflow="instant",
    statutory_limit_workdays=0,
    promised_limit_workdays=0,
    channel="both",
    fully_online=True,
    materials=(
        MaterialData(
            "passport",
            "护照信息页及有效签证或居留许可页",
            "Passport photo page and the page with the valid visa or residence permit",
        ),
        MaterialData(
            "tenancy",
            "房屋租赁合同或者房屋产权证明",
            "Tenancy agreement or proof of ownership",
            "住在亲友家中的，可提供留宿人的身份证明。",
            "If you stay with family or friends, your host's ID will do.",
            required=False,
        ),
    ),
    form=Form(
        steps=(
            Step(
                "guest",
                t("境外人员", "The foreigner"),
                (
                    text_field("guest_name", t("姓名（护照）", "Name (as in the passport)"), help=LATIN_NAME_HELP),
                    text_field(
                        "passport_number",
                        t("护照号码", "Passport number"),
                        max_length=20,
                        pattern=PASSPORT_PATTERN,
                        help=PASSPORT_HELP,
                    ),
                    country_field("nationality", t("国籍", "Nationality"), help=NATIONALITY_HELP),
                    date_field("birth_date", t("出生日期", "Date of birth"), dates="past"),
                    choice_field(
                        "sex", t("性别", "Sex"), {"male": t("男", "Male"), "female": t("女", "Female")}, widget="radio"
                    ),
                ),
            ),
            Step(
                "stay",
                t("住宿信息", "The stay"),
                (
                    text_field("address", t("住宿地址", "Address"), max_length=200),
                    choice_field("district", t("所在区", "District"), DISTRICT_CHOICES),
                    date_field("arrival_on", t("入住日期", "Date of moving in")),
                    date_field("departure_on", t("预计离开日期", "Expected date of leaving"), required=False),
                    text_field("host_name", t("留宿人或房东姓名", "Name of the landlord or host")),
                    text_field(
                        "host_phone",
                        t("留宿人或房东联系电话", "Phone of the landlord or host"),
                        max_length=20,
                        pattern=PHONE_PATTERN,
                        widget="tel",
                    ),
                ),
            ),
        ),
        persons_concerned=GUEST_CONCERNED,
    ),
)

TALENT_CARD = ServiceData(
    code="talent-card",
    agency="science-tech",
    area="foreign_staff",
    topics=("international", "employment"),
    name_zh="外国高端人才确认函",
    name_en="Confirmation letter for foreign high-end talent (category A)",
    summary_zh=(
        "用人单位拟聘用的外国人符合外国高端人才（A类）标准的，可以申请《外国高端人才确认函》。外国人凭确认函向我国驻外"
        "使领馆申请人才签证（R字签证），享受长期多次入境等签证便利。"
    ),
    summary_en=(
        "An employer hiring a foreigner who meets the high-end talent criteria (category A) can ask for a "
        "confirmation letter. With it the foreigner applies at a Chinese embassy or consulate for a talent visa "
        "(R visa), which allows long-term, multiple entries."
    ),
    eligibility_zh="在本市依法设立的用人单位，为其拟聘用、符合外国高端人才（A类）标准的外国人申请。",
    eligibility_en="Employers in the city, for a foreigner they intend to hire who meets the category A criteria.",
    conditions_zh=(
        "外国人符合下列条件之一：\n"
        "1. 入选国内人才引进计划；\n"
        "2. 符合国际公认的专业成就认定标准；\n"
        "3. 符合市场导向的鼓励类岗位需要，年薪不低于本地区上年度社会平均工资收入的6倍；\n"
        "4. 创新创业人才；\n"
        "5. 优秀青年人才；\n"
        "6. 计点积分85分以上。"
    ),
    conditions_en=(
        "The foreigner meets one of these:\n"
        "1. Selected by a national or local talent programme.\n"
        "2. Internationally recognised professional achievements.\n"
        "3. A job the market needs, paid at least six times the city's average wage of last year.\n"
        "4. An innovator or entrepreneur.\n"
        "5. An outstanding young talent.\n"
        "6. 85 points or more on the work permit points table."
    ),
    legal_basis_zh=(
        "《中华人民共和国外国人入境出境管理条例》第六条\n"
        "《外国人来华工作许可服务指南（暂行）》\n"
        "《外国人来华工作分类标准（试行）》"
    ),
    legal_basis_en=(
        "Regulations on the Administration of the Entry and Exit of Foreigners, Article 6\n"
        "Service Guide for Foreigners' Work Permits in China (Interim)\n"
        "Classification Standard for Foreigners Working in China (Trial)"
    ),
    applicants="firm",
    for_foreigners=False,
    workflow="review",
    four_eyes=True,
    statutory_limit_workdays=10,
    promised_limit_workdays=5,
    channel="online",
    fully_online=True,
    materials=(
        MaterialData(
            "passport", "护照信息页", "Passport photo page", "护照应在有效期内。", "The passport must be valid."
        ),
        MaterialData(
            "category-a-proof",
            "符合外国高端人才（A类）标准的证明材料",
            "Proof of meeting the category A criteria",
            "如人才计划入选文件、奖项证书、薪酬证明等。",
            "For example the talent programme's selection letter, award certificates or proof of pay.",
        ),
        MaterialData(
            "contract",
            "劳动合同或聘用意向书",
            "Employment contract or letter of intent",
            "由双方签字并加盖单位公章。",
            "Signed by both sides, with the employer's seal.",
        ),
    ),
    form=Form(
        steps=(
            Step("employer", t("用人单位", "Employer"), (FIRM_NAME, USCC, CONTACT_PHONE)),
            Step("talent", t("外国人", "The foreigner"), foreign_employee_fields(with_birth_date=False)),
            Step(
                "category",
                t("A类认定", "Category A"),
                (
                    choice_field(
                        "category_basis",
                        t("符合的A类条件", "Which category A criterion is met?"),
                        {
                            "talent_programme": t("入选国内人才引进计划", "Selected by a talent programme"),
                            "recognised_achievement": t(
                                "符合国际公认的专业成就认定标准", "Internationally recognised achievements"
                            ),
                            "market_salary": t(
                                "年薪不低于本地区上年度社会平均工资收入的6倍",
                                "Paid at least six times the average wage",
                            ),
                            "innovation": t("创新创业人才", "Innovator or entrepreneur"),
                            "young_talent": t("优秀青年人才", "Outstanding young talent"),
                            "points": t("计点积分85分以上", "85 points or more"),
                        },
                    ),
                    multiline_field(
                        "basis_details",
                        t("情况说明", "Details"),
                        help=t(
                            "写明入选的人才计划名称、获得的奖项或积分情况等。",
                            "Name the talent programme, the awards or the points score.",
                        ),
                    ),
                ),
            ),
            Step(
                "visa",
                t("签证信息", "Visa"),
                (
                    text_field(
                        "visa_post",
                        t("拟申请签证的驻外使领馆", "Chinese embassy or consulate for the visa"),
                        max_length=200,
                        help=t("如中国驻德国大使馆。", "For example the Chinese Embassy in Germany."),
                    ),
                    date_field("planned_entry_on", t("预计入境日期", "Planned date of entry"), dates="future"),
                ),
            ),
        ),
        persons_concerned=PASSPORT_CONCERNED,
    ),
)

SERVICES = (
    ANNUAL_REPORT,
    SI_ENROLMENT,
    SI_TERMINATION,
    FW_WORK_PERMIT,
    FW_RESIDENCE_PERMIT,
    BUSINESS_CHANGE,
    FOOD_LICENCE,
    TAX_CLEARANCE,
    INDIVIDUAL_TAX_RECORD,
    UNEMPLOYMENT_BENEFIT,
    SI_CONTRIBUTION_RECORD,
    ACCOMMODATION_REGISTRATION,
    TALENT_CARD,
)
