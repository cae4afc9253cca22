"""The demo catalogue loads once and again without changes, its forms follow docs/forms.md, the
work-permit points table scores like the 2017 national criteria, and search finds its services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from jsonschema import Draft202012Validator

from tongban.audit.models import AuditEvent
from tongban.catalogue.models import (
    Applicants,
    CertificateType,
    Material,
    PointsFactor,
    PointsOption,
    PointsTable,
    ServiceItem,
    ServiceVersion,
    Topic,
    VersionStatus,
)
from tongban.catalogue.points import score
from tongban.catalogue.selectors import points_table_spec, published_services, published_version
from tongban.demo import catalogue_loader, data
from tongban.demo.catalogue_loader import load_catalogue
from tongban.forms import engine
from tongban.forms.models import FormDefinition
from tongban.forms.points_input import points_answers
from tongban.identity.models import Agency, OfficeLevel

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = date(2026, 3, 2)

#: The prefill sources docs/forms.md lists.
PREFILL_KEYS = {
    "person.name",
    "person.latin_name",
    "person.id_type",
    "person.id_number",
    "person.nationality",
    "person.birth_date",
    "person.registered_district",
    "account.email",
    "account.phone",
    "firm.uscc",
    "firm.name_zh",
    "firm.name_en",
    "firm.firm_type",
    "firm.legal_representative",
    "firm.registered_district",
}
WIDGETS = {"text", "textarea", "number", "date", "email", "tel", "select", "radio", "checkbox", "checkboxes"}


@pytest.fixture
def catalogue() -> None:
    for agency in data.AGENCIES:
        Agency.objects.get_or_create(code=agency.code, defaults=vars(agency))
    load_catalogue(now=NOW)


def counts() -> tuple[int, ...]:
    models = (
        Topic,
        ServiceItem,
        ServiceVersion,
        Material,
        FormDefinition,
        PointsTable,
        PointsFactor,
        PointsOption,
        AuditEvent,
    )
    return tuple(model.objects.count() for model in models)


def definitions() -> list[FormDefinition]:
    return list(FormDefinition.objects.filter(version__status=VersionStatus.PUBLISHED).select_related("version__item"))


def test_loads_once_and_again_without_changes(catalogue: None) -> None:
    first = counts()
    load_catalogue(now=NOW)
    assert counts() == first
    assert ServiceItem.objects.count() == len(catalogue_loader.SERVICES) >= 13
    assert ServiceVersion.objects.count() == ServiceItem.objects.count()


def test_every_published_service_is_bilingual_and_has_a_form(catalogue: None) -> None:
    versions = list(ServiceVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related("item"))
    assert len(versions) >= 13
    for version in versions:
        code = version.item.code
        assert version.item.published_version_id == version.pk
        assert version.published_at == NOW
        for name in ("name", "summary", "eligibility", "legal_basis", "conditions", "fee", "contact"):
            assert getattr(version, f"{name}_zh").strip(), (code, name)
            assert getattr(version, f"{name}_en").strip(), (code, name)
        assert FormDefinition.objects.filter(version=version).exists(), code
        assert version.promised_limit_workdays <= version.statutory_limit_workdays
        assert version.topics.exists(), code
        if version.workflow == "review":
            assert version.statutory_limit_workdays > 0, code
        for material in version.materials.all():
            assert material.name_zh and material.name_en, (code, material.code)
    assert {topic.code for topic in Topic.objects.all()} >= {
        "international",
        "employment",
        "social-security",
        "business",
        "tax",
        "residence",
    }


def test_key_parameters(catalogue: None) -> None:
    permit = published_version(code="fw-work-permit")
    assert permit is not None
    assert (permit.item.agency.code, permit.item.area, permit.workflow) == ("science-tech", "foreign_staff", "review")
    assert permit.four_eyes and permit.for_firms and permit.for_foreigners
    assert (permit.statutory_limit_workdays, permit.promised_limit_workdays) == (10, 5)
    assert permit.handling_level == OfficeLevel.CITY
    assert {topic.code for topic in permit.topics.all()} == {"international", "employment"}
    assert "外国人在中国就业管理规定" in permit.legal_basis_zh
    assert {m.code for m in permit.materials.all()} == {"passport", "degree", "criminal-record", "health", "contract"}
    assert not any(m.government_may_hold for m in permit.materials.all())

    residence = published_version(code="fw-residence-permit")
    assert residence is not None
    assert residence.fee_amount_fen == 40_000 and "400" in residence.fee_zh and "400" in residence.fee_en
    assert (residence.statutory_limit_workdays, residence.promised_limit_workdays) == (15, 7)
    held = {m.code for m in residence.materials.all() if m.government_may_hold}
    assert held == {"work-permit", "accommodation"}
    # "The foreigner or their employer applies" (its guide): either, and he is its person concerned.
    assert residence.applicants == Applicants.EITHER and permit.applicants == Applicants.FIRM
    assert FormDefinition.objects.get(version=residence).layout["persons_concerned"][0]["self"] is True

    for code in ("business-change", "food-licence", "unemployment-benefit"):
        version = published_version(code=code)
        assert version is not None and version.handling_level == OfficeLevel.DISTRICT, code
    assert published_version(code="annual-report").workflow == "instant"


def test_forms_follow_the_documented_format(catalogue: None) -> None:
    found = definitions()
    assert len(found) == len(catalogue_loader.SERVICES)
    for definition in found:
        code = definition.version.item.code
        schema, layout = definition.schema, definition.layout
        Draft202012Validator.check_schema(schema)
        props = schema["properties"]
        specs = layout["fields"]
        in_steps = [name for step in layout["steps"] for name in step["fields"]]
        assert len(in_steps) == len(set(in_steps)), code  # a field is asked once
        assert set(in_steps) == set(props) == set(specs), code
        assert len(props) >= 3, code
        assert set(schema["required"]) <= set(props), code
        for step in layout["steps"]:
            assert step["title"]["zh"] and step["title"]["en"], (code, step["key"])
            if "visible_if" in step:
                assert step["visible_if"]["field"] in props, (code, step["key"])
        for name, spec in specs.items():
            prop = props[name]
            assert prop["type"] in ("string", "integer", "number", "boolean", "array"), (code, name)
            assert spec["label"]["zh"] and spec["label"]["en"], (code, name)
            if "help" in spec:
                assert spec["help"]["zh"] and spec["help"]["en"], (code, name)
            if "widget" in spec:
                assert spec["widget"] in WIDGETS, (code, name)
            if "prefill" in spec:
                if spec["prefill"].startswith("certificate."):  # certificate.<type code>.<field or number>
                    _prefix, type_code, _field = spec["prefill"].split(".")
                    assert CertificateType.objects.filter(code=type_code).exists(), (code, name)
                else:
                    assert spec["prefill"] in PREFILL_KEYS, (code, name)
            if spec.get("authoritative"):
                assert "prefill" in spec, (code, name)
            if "visible_if" in spec:
                assert spec["visible_if"]["field"] in props, (code, name)
            options = prop.get("enum") or prop.get("items", {}).get("enum")
            if options:
                assert "choices" in spec, (code, name)
            if "choices" in spec:
                assert set(spec["choices"]) == set(options), (code, name)
                for label in spec["choices"].values():
                    assert label["zh"] and label["en"], (code, name)
        for person in layout.get("persons_concerned", []):
            assert person["id_number_field"] in props, code
            assert person.get("nationality_field", person["id_number_field"]) in props, code


def test_firm_identity_and_own_id_are_authoritative(catalogue: None) -> None:
    for definition in definitions():
        for spec in definition.layout["fields"].values():
            if spec.get("prefill") in ("firm.name_zh", "firm.uscc", "person.id_number"):
                assert spec.get("authoritative") is True, definition.version.item.code


def work_permit_data(**changes: Any) -> dict[str, Any]:
    """What an HR manager enters for the demo engineer (35 on TODAY, a doctorate)."""
    values = {
        "firm_name": data.FIRM_NAME_ZH,
        "uscc": "91310115MA1H7XY10X",
        "contact_name": "SCHMIDT Emma",
        "contact_phone": "021-61234567",
        "employee_name": "MARTIN Lucas",
        "passport_number": "19FR83472",
        "nationality": "FR",
        "birth_date": "1990-06-15",
        "employee_email": "lucas.martin@example.fr",
        "has_family": False,
        "job_title": "Senior process engineer",
        "start_on": "2026-05-01",
        "contract_months": 36,
        "annual_salary": 500_000,
        "months_in_china": "nine_plus",
        "highest_degree": "doctorate",
        "experience_years": 10,
        "chinese_level": "none",
        "top200_graduate": "yes",
        "fortune500_employer": "no",
    }
    values.update(changes)
    return values


def work_permit_form() -> FormDefinition:
    return FormDefinition.objects.get(version__item__code="fw-work-permit", version__status=VersionStatus.PUBLISHED)


def test_work_permit_form_accepts_a_realistic_application(catalogue: None) -> None:
    definition = work_permit_form()
    values = work_permit_data()
    shown = engine.visible_fields(definition.layout, values)
    assert "children_count" not in shown
    assert engine.validate(definition.schema, definition.layout, values, shown, today=date(2026, 4, 1)) == {}
    # the birth date may not lie in the future, the planned start not in the past
    later = work_permit_data(birth_date="2030-01-01")
    errors = engine.validate(definition.schema, definition.layout, later, shown, today=date(2026, 6, 1))
    assert set(errors) == {"birth_date", "start_on"}

    with_family = work_permit_data(has_family=True)
    shown = engine.visible_fields(definition.layout, with_family)
    errors = engine.validate(definition.schema, definition.layout, with_family, shown, today=date(2026, 4, 1))
    assert set(errors) == {"children_count"}  # the family step is shown and asks for it
    wrong = work_permit_data(nationality="France", experience_years=60)
    errors = engine.validate(
        definition.schema,
        definition.layout,
        wrong,
        engine.visible_fields(definition.layout, wrong),
        today=date(2026, 4, 1),
    )
    assert set(errors) == {"nationality", "experience_years"}


def test_work_permit_points(catalogue: None) -> None:
    definition = work_permit_form()
    assert definition.points_table == "work-permit"
    table = points_table_spec(code="work-permit")
    assert table is not None
    assert (table.category_a_min, table.category_b_min) == (85, 60)
    assert table.maximum == 100
    source = PointsTable.objects.get(code="work-permit")
    assert "外国人来华工作分类标准" in source.source_zh and "Classification Standard" in source.source_en

    # 35, doctorate 20, salary 500,000 -> 20, 10 years -> 15, 12 months -> 15, HSK none 0, age 15,
    # top-200 5, Fortune 500 0.
    result = score(table, points_answers(definition.points_fields, work_permit_data(), TODAY))
    assert result.complete
    assert {line.factor.code: line.points for line in result.lines} == {
        "salary": 20,
        "education": 20,
        "experience": 15,
        "time_in_china": 15,
        "chinese": 0,
        "age": 15,
        "top200": 5,
        "fortune500": 0,
    }
    assert (result.total, result.category) == (90, "A")

    # 27, bachelor 10, salary 120,000 -> 8, 2 years -> 4, 12 months -> 15, HSK 3 -> 3, age 15, no, no.
    junior = work_permit_data(
        birth_date="1998-07-01",
        highest_degree="bachelor",
        annual_salary=120_000,
        experience_years=2,
        chinese_level="hsk3",
        top200_graduate="no",
    )
    result = score(table, points_answers(definition.points_fields, junior, TODAY))
    assert result.complete
    assert (result.total, result.category) == (55, "C")

    best = work_permit_data(chinese_level="hsk5", fortune500_employer="yes")
    assert score(table, points_answers(definition.points_fields, best, TODAY)).total == 100


@pytest.mark.parametrize(
    ("changes", "factor", "option"),
    [
        ({"annual_salary": 450_000}, "salary", "s450"),
        ({"annual_salary": 449_999}, "salary", "s350"),
        ({"annual_salary": 49_999}, "salary", "s0"),
        ({"experience_years": 1}, "experience", "y0"),
        ({"experience_years": 8}, "experience", "y8"),
        ({"birth_date": "2000-03-02"}, "age", "a26"),  # 26 today
        ({"birth_date": "2000-03-03"}, "age", "a18"),  # 25 until tomorrow
        ({"birth_date": "1966-03-03"}, "age", "a56"),  # 59
        ({"birth_date": "1965-01-01"}, "age", "a61"),  # 61
    ],
)
def test_work_permit_band_edges(catalogue: None, changes: dict[str, Any], factor: str, option: str) -> None:
    definition = work_permit_form()
    assert points_answers(definition.points_fields, work_permit_data(**changes), TODAY)[factor] == option


def test_points_fields_name_real_fields_and_options(catalogue: None) -> None:
    definition = work_permit_form()
    table = points_table_spec(code="work-permit")
    assert table is not None
    factors = {factor.code: {option.code for option in factor.options} for factor in table.factors}
    assert set(definition.points_fields) == set(factors)
    props = definition.schema["properties"]
    for factor, source in definition.points_fields.items():
        if isinstance(source, str):
            assert set(props[source]["enum"]) == factors[factor], factor  # every answer is an option
            continue
        assert source["field"] in props, factor
        bands = source.get("min_bands") or source["age_bands"]
        assert {band[-1] for band in bands} == factors[factor], factor


def test_search_finds_services_in_both_languages(catalogue: None) -> None:
    def codes(**filters: str) -> set[str]:
        return {version.item.code for version in published_services(**filters)}

    assert "fw-work-permit" in codes(query="工作许可")
    assert "fw-work-permit" in codes(query="Work Permit")
    assert "si-enrolment" in codes(query="社会保险")
    firms = codes(audience="firms")
    assert "individual-tax-record" not in firms and "fw-work-permit" in firms
    assert "individual-tax-record" in codes(audience="foreigners")
    assert {"fw-work-permit", "fw-residence-permit", "accommodation-registration"} <= codes(topic_code="international")
