"""The demo city's e-certificate types, which services issue them, and which materials they
replace (once-only)."""

from __future__ import annotations

from typing import Any

from tongban.demo.catalogue_data import BUSINESS_STATUSES, DISTRICT_CHOICES
from tongban.demo.catalogue_everyday import COMPANY_TYPES, WITHDRAWAL_REASONS


def _label(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


CERTIFICATE_TYPES: tuple[dict[str, Any], ...] = (
    {
        "code": "work-permit",
        "name_zh": "外国人工作许可证",
        "name_en": "Foreigner's Work Permit",
        "holder": "person_concerned",
        "validity_months": 24,
        "number_prefix": "WP",
        "fields": [
            {"name": "category", "label": _label("类别", "Category"), "source": "points.category", "public": True},
            {"name": "points", "label": _label("积分", "Points"), "source": "points.total", "public": False},
            {
                "name": "nationality",
                "label": _label("国籍", "Nationality"),
                "source": "holder.nationality",
                "public": True,
            },
            {
                "name": "passport",
                "label": _label("护照号码", "Passport number"),
                "source": "holder.id_number",
                "public": False,
            },
            {"name": "employer", "label": _label("工作单位", "Employer"), "source": "firm.name", "public": True},
            {"name": "job_title", "label": _label("工作岗位", "Job title"), "source": "data.job_title", "public": True},
        ],
    },
    {
        "code": "residence-permit-work",
        "name_zh": "外国人工作类居留许可",
        "name_en": "Residence Permit for Work",
        "holder": "person_concerned",
        "validity_months": 24,
        "number_prefix": "RP",
        "fields": [
            {
                "name": "nationality",
                "label": _label("国籍", "Nationality"),
                "source": "holder.nationality",
                "public": True,
            },
            {
                "name": "passport",
                "label": _label("护照号码", "Passport number"),
                "source": "holder.id_number",
                "public": False,
            },
            {
                "name": "work_permit",
                "label": _label("工作许可证号", "Work permit number"),
                "source": "data.work_permit_number",
                "public": True,
            },
            {"name": "address", "label": _label("居住地址", "Address"), "source": "data.address", "public": False},
        ],
    },
    {
        "code": "annual-report-receipt",
        "name_zh": "企业年度报告公示回执",
        "name_en": "Annual Report Filing Receipt",
        "holder": "firm",
        "validity_months": None,
        "number_prefix": "AR",
        "fields": [
            {"name": "uscc", "label": _label("统一社会信用代码", "USCC"), "source": "firm.uscc", "public": True},
            {
                "name": "year",
                "label": _label("报告年度", "Reporting year"),
                "source": "data.report_year",
                "public": True,
            },
            {
                "name": "status",
                "label": _label("经营状态", "Business status"),
                "source": "data.business_status",
                "public": True,
                "values": BUSINESS_STATUSES,
            },
        ],
    },
    {
        "code": "housing-fund-withdrawal",
        "name_zh": "住房公积金提取核准通知书",
        "name_en": "Housing Provident Fund Withdrawal Approval Notice",
        "holder": "applicant",
        "validity_months": None,
        "number_prefix": "HF",
        "fields": [
            {
                "name": "reason",
                "label": _label("提取原因", "Reason"),
                "source": "data.reason",
                "public": True,
                "values": WITHDRAWAL_REASONS,
            },
            {
                "name": "amount",
                "label": _label("核准金额（元）", "Amount approved (yuan)"),
                "source": "data.amount_yuan",
                "public": True,
            },
            {
                "name": "account",
                "label": _label("转入账号", "Paid into account"),
                "source": "data.bank_account",
                "public": False,
            },
        ],
    },
    {
        "code": "residence-permit-city",
        "name_zh": "居住证",
        "name_en": "City Residence Permit",
        "holder": "applicant",
        "validity_months": 12,
        "number_prefix": "JZ",
        "fields": [
            {
                "name": "id_number",
                "label": _label("公民身份号码", "Resident ID number"),
                "source": "holder.id_number",
                "public": True,
            },
            {
                "name": "district",
                "label": _label("居住地所在区", "District"),
                "source": "data.district",
                "public": True,
                "values": DISTRICT_CHOICES,
            },
            {"name": "address", "label": _label("居住地址", "Address"), "source": "data.address", "public": False},
            {
                "name": "hukou_place",
                "label": _label("户籍所在地", "Household registered in"),
                "source": "data.hukou_place",
                "public": False,
            },
        ],
    },
    {
        "code": "business-licence",
        "name_zh": "营业执照",
        "name_en": "Business Licence",
        "holder": "applicant",
        "validity_months": None,
        "number_prefix": "YY",
        "fields": [
            {
                "name": "uscc",
                "label": _label("统一社会信用代码", "Unified social credit code"),
                "source": "case.uscc",
                "public": True,
            },
            {"name": "company_name", "label": _label("名称", "Name"), "source": "data.company_name", "public": True},
            {
                "name": "company_type",
                "label": _label("类型", "Legal form"),
                "source": "data.company_type",
                "public": True,
                "values": COMPANY_TYPES,
            },
            {
                "name": "legal_representative",
                "label": _label("法定代表人", "Legal representative"),
                "source": "holder.name",
                "public": True,
            },
            {
                "name": "capital",
                "label": _label("注册资本（万元）", "Registered capital (10,000 yuan)"),
                "source": "data.registered_capital",
                "public": True,
            },
            {
                "name": "address",
                "label": _label("住所", "Registered address"),
                "source": "data.address",
                "public": True,
            },
            {
                "name": "scope",
                "label": _label("经营范围", "Business scope"),
                "source": "data.business_scope",
                "public": True,
            },
        ],
    },
    {
        "code": "si-contribution-record",
        "name_zh": "社会保险个人参保缴费凭证",
        "name_en": "Social Security Contribution Record",
        "holder": "applicant",
        "validity_months": None,
        "number_prefix": "SR",
        "fields": [
            {"name": "insured", "label": _label("参保人", "Insured person"), "source": "holder.name", "public": True},
            {
                "name": "id_number",
                "label": _label("证件号码", "Identity document"),
                "source": "holder.id_number",
                "public": False,
            },
            {"name": "from", "label": _label("起始年月", "From"), "source": "data.period_from", "public": True},
            {"name": "to", "label": _label("截止年月", "To"), "source": "data.period_to", "public": True},
        ],
    },
    {
        "code": "individual-tax-record",
        "name_zh": "个人所得税纳税记录",
        "name_en": "Individual Income Tax Record",
        "holder": "applicant",
        "validity_months": None,
        "number_prefix": "TR",
        "fields": [
            {"name": "taxpayer", "label": _label("纳税人", "Taxpayer"), "source": "holder.name", "public": True},
            {
                "name": "id_number",
                "label": _label("证件号码", "Identity document"),
                "source": "holder.id_number",
                "public": False,
            },
            {"name": "from", "label": _label("起始年月", "From"), "source": "data.period_from", "public": True},
            {"name": "to", "label": _label("截止年月", "To"), "source": "data.period_to", "public": True},
        ],
    },
    {
        "code": "si-enrolment-receipt",
        "name_zh": "社会保险增员登记回执",
        "name_en": "Social Security Enrolment Receipt",
        "holder": "firm",
        "validity_months": None,
        "number_prefix": "SE",
        "fields": [
            {"name": "uscc", "label": _label("统一社会信用代码", "USCC"), "source": "firm.uscc", "public": True},
            {"name": "employee", "label": _label("职工", "Employee"), "source": "data.employee_name", "public": True},
            {
                "name": "start_on",
                "label": _label("参保起始日期", "Insured from"),
                "source": "data.start_on",
                "public": True,
            },
        ],
    },
    {
        "code": "si-termination-receipt",
        "name_zh": "社会保险减员登记回执",
        "name_en": "Social Security Termination Receipt",
        "holder": "firm",
        "validity_months": None,
        "number_prefix": "ST",
        "fields": [
            {"name": "uscc", "label": _label("统一社会信用代码", "USCC"), "source": "firm.uscc", "public": True},
            {"name": "employee", "label": _label("职工", "Employee"), "source": "data.employee_name", "public": True},
            {"name": "end_on", "label": _label("停保日期", "Insured until"), "source": "data.end_on", "public": True},
        ],
    },
    {
        "code": "accommodation-receipt",
        "name_zh": "境外人员住宿登记回执",
        "name_en": "Accommodation Registration Receipt",
        "holder": "applicant",
        "validity_months": None,
        "number_prefix": "AC",
        "fields": [
            {"name": "guest", "label": _label("住宿人", "Guest"), "source": "data.guest_name", "public": True},
            {"name": "arrival", "label": _label("入住日期", "Arrived on"), "source": "data.arrival_on", "public": True},
            {"name": "address", "label": _label("住宿地址", "Address"), "source": "data.address", "public": False},
        ],
    },
)

#: service code -> the certificate type its approval (or an instant filing) issues: every instant
#: service delivers its document (ADR 0033)
ISSUED_BY = {
    "fw-work-permit": "work-permit",
    "fw-residence-permit": "residence-permit-work",
    "annual-report": "annual-report-receipt",
    "housing-fund-withdrawal": "housing-fund-withdrawal",
    "city-residence-permit": "residence-permit-city",
    "company-establishment": "business-licence",
    "si-contribution-record": "si-contribution-record",
    "individual-tax-record": "individual-tax-record",
    "si-enrolment": "si-enrolment-receipt",
    "si-termination": "si-termination-receipt",
    "accommodation-registration": "accommodation-receipt",
}
#: (service code, material code) -> the certificate type that replaces the upload
REPLACES = {("fw-residence-permit", "work-permit"): "work-permit"}
#: (service code, field) -> prefill source from a held certificate (authoritative)
PREFILL = {("fw-residence-permit", "work_permit_number"): "certificate.work-permit.number"}
