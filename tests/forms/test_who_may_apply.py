"""Who may apply is catalogue data (a person, a firm, or either; ADR 0032), shown in the guide in
both languages and enforced in one place (``forms.permissions.may_apply``); the form adapts: a
person applying for himself is the person concerned (his own identity, locked) and is not asked
the firm's part, while the employer applies as before."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import FirmFactory, PersonFactory, PowerFactory
from tests.services import LAYOUT, SCHEMA, make_service, pdf_upload
from tongban.cases.services import case_act, case_submit
from tongban.catalogue.models import Applicants, Material
from tongban.catalogue.selectors import published_version
from tongban.certificates.models import Certificate
from tongban.core.actors import Actor
from tongban.core.errors import PermissionDeniedError
from tongban.demo.data import ENGINEER
from tongban.demo.flows import WORK_PERMIT_NUMBER
from tongban.demo.loader import load
from tongban.forms import engine
from tongban.forms.definition import definition_problems
from tongban.forms.models import Application
from tongban.forms.permissions import may_apply
from tongban.forms.selectors import application_steps
from tongban.forms.services import application_save_step, application_start, application_upload
from tongban.identity.models import Account, Person

pytestmark = pytest.mark.django_db

Login = Callable[[Client, Account], None]
ACTOR = Actor.system("tests")

#: The test form with its person concerned marked as the applicant when a person applies himself.
SELF_LAYOUT: dict[str, Any] = copy.deepcopy(LAYOUT)
SELF_LAYOUT["persons_concerned"] = [
    {
        "id_number_field": "passport_number",
        "nationality_field": "nationality",
        "name_field": "employee_name",
        "self": True,
    }
]


@pytest.mark.parametrize(
    ("individuals", "firms", "applicants"),
    [(True, False, Applicants.PERSON), (False, True, Applicants.FIRM), (True, True, Applicants.EITHER)],
)
def test_may_apply_follows_who_the_catalogue_names(individuals: bool, firms: bool, applicants: Applicants) -> None:
    version = make_service(for_individuals=individuals, for_firms=firms)
    assert version.applicants == applicants
    power = PowerFactory(area=version.item.area)
    now = timezone.now()
    if individuals:
        assert may_apply(person=power.grantee, firm=None, version=version, now=now) is None
    else:
        with pytest.raises(PermissionDeniedError, match="Only firms apply"):
            may_apply(person=power.grantee, firm=None, version=version, now=now)
    if firms:
        assert may_apply(person=power.grantee, firm=power.firm, version=version, now=now).power == power
    else:
        with pytest.raises(PermissionDeniedError, match="Firms cannot apply"):
            may_apply(person=power.grantee, firm=power.firm, version=version, now=now)


def test_the_guide_says_who_applies_in_both_languages(client: Client, login_person: Login) -> None:
    make_service(for_individuals=True, for_firms=True)
    power = PowerFactory(area="foreign_staff")
    assert power.grantee.account is not None
    login_person(client, power.grantee.account)
    english = client.get("/en/services/test-permit/").content.decode()
    assert "Who files the application" in english
    assert "Either the person concerned, for himself or herself, or a firm" in english
    assert 'value="self"' in english and f'value="{power.firm.uscc}"' in english  # both are offered
    chinese = client.get("/zh/services/test-permit/").content.decode()
    assert "由谁提出申请" in chinese and "本人申请或者由单位代为申请均可" in chinese


def test_a_person_applying_for_himself_is_the_person_concerned(client: Client, login_person: Login) -> None:
    version = make_service(for_individuals=True, for_firms=True, layout=SELF_LAYOUT)
    engineer = PersonFactory(foreigner=True, nationality="FR", registry_verified=True, name="MARTIN Lucas")
    application = application_start(person=engineer, version=version, firm=None, actor=ACTOR, now=timezone.now())
    assert application.data["passport_number"] == engineer.id_number
    assert application.data["nationality"] == "FR" and application.data["employee_name"] == "MARTIN Lucas"
    assert application.sources["passport_number"] == "person.id_number"
    # The firm's part (the employer's name from its record) is not asked of him.
    assert "employer" not in engine.visible_fields(SELF_LAYOUT, application.data)
    steps = [step.key for step in application_steps(application, [], "en")]
    assert steps[0] == "employee" and "employer" not in steps
    # His identity is locked: another passport number typed in is not taken.
    _values, errors = application_save_step(
        application=application,
        step_key="employee",
        posted={
            "passport_number": "X1234567",
            "nationality": "DE",
            "employee_name": "SOMEONE Else",
            "annual_salary": "300000",
        },
        person=engineer,
        now=timezone.now(),
    )
    assert errors == {}
    application.refresh_from_db()
    assert application.data["passport_number"] == engineer.id_number and application.data["nationality"] == "FR"
    assert engineer.account is not None
    login_person(client, engineer.account)
    page = client.get(f"/en/applications/{application.public_id}/employee/").content.decode()
    assert engineer.id_number in page and "From your identity record" in page
    application_save_step(
        application=application, step_key="family", posted={"has_family": "no"}, person=engineer, now=timezone.now()
    )
    material = Material.objects.get(version=version, code="passport")
    application_upload(
        application=application, material=material, file=pdf_upload(), person=engineer, actor=ACTOR, now=timezone.now()
    )
    case = case_submit(application=application, person=engineer, actor=ACTOR, now=timezone.now())
    assert case.firm is None and case.applicant == engineer
    assert not case.parties.exists()  # he is the applicant; nobody else is named
    assert "employer" not in case.data and case.data["passport_number"] == engineer.id_number


def test_the_employer_applies_as_before(client: Client) -> None:
    version = make_service(for_individuals=True, for_firms=True, layout=SELF_LAYOUT)
    firm = FirmFactory()
    power = PowerFactory(firm=firm, area="foreign_staff")
    hr = power.grantee
    application: Application = application_start(person=hr, version=version, firm=firm, actor=ACTOR, now=timezone.now())
    assert "passport_number" not in application.data  # the employee's, typed by the HR manager
    assert application.data["employer"] == firm.name_zh
    assert "employer" in engine.visible_fields(SELF_LAYOUT, application.data)
    _values, errors = application_save_step(
        application=application,
        step_key="employee",
        posted={
            "passport_number": "X1234567",
            "nationality": "DE",
            "employee_name": "MUELLER Anna",
            "annual_salary": "300000",
        },
        person=hr,
        now=timezone.now(),
    )
    assert errors == {}
    application.refresh_from_db()
    assert application.data["passport_number"] == "X1234567"


def test_a_draft_started_before_asks_everything() -> None:
    """A draft without the applicant key (started before ADR 0032) is asked the whole form."""
    assert "employer" in engine.visible_fields(LAYOUT, {})
    assert "employer" not in engine.visible_fields(LAYOUT, {engine.APPLICANT_KEY: "person"})


def test_the_demo_engineer_gets_his_own_residence_permit() -> None:
    """In the demo city Lucas applies for himself: his passport data and his work permit come from
    what the government holds, and the approval issues the residence permit to him."""
    load()
    lucas = Person.objects.get(account__username=ENGINEER.username)
    version = published_version(code="fw-residence-permit")
    assert version is not None
    now = timezone.now()
    application = application_start(person=lucas, version=version, firm=None, actor=ACTOR, now=now)
    assert application.data["passport_number"] == ENGINEER.id_number
    for step, posted in (
        ("employee", {"birth_date": "1991-04-12"}),
        ("stay", {"address": "88 Century Avenue, Pudong", "district": "310115", "duration": "1y_to_3y"}),
    ):
        _values, errors = application_save_step(
            application=application, step_key=step, posted=posted, person=lucas, now=now
        )
        assert errors == {}, errors
        application.refresh_from_db()
    assert application.data["work_permit_number"] == WORK_PERMIT_NUMBER  # read from his own certificate
    for material in Material.objects.filter(version=version).exclude(code="work-permit"):
        application_upload(
            application=application, material=material, file=pdf_upload(), person=lucas, actor=ACTOR, now=now
        )
    case = case_submit(application=application, person=lucas, actor=ACTOR, now=now)
    officer = Account.objects.get(username="officer.exitentry")
    for action in ("accept", "start_review", "approve"):
        case.refresh_from_db()
        case = case_act(
            case=case,
            action=action,
            expected_version=case.lock_version,
            account=officer,
            reason="In order." if action == "approve" else "",
            actor=ACTOR,
            now=now,
        )
    permit = Certificate.objects.get(case_number=case.number)
    assert permit.certificate_type.code == "residence-permit-work" and permit.holder_person == lucas
    assert permit.fields["work_permit"] == WORK_PERMIT_NUMBER


def test_the_form_checker_accepts_self_only_as_true_or_false() -> None:
    assert definition_problems(SCHEMA, SELF_LAYOUT) == []
    wrong = copy.deepcopy(SELF_LAYOUT)
    wrong["persons_concerned"][0]["self"] = "yes"
    assert [problem.where for problem in definition_problems(SCHEMA, wrong)] == ["layout.persons_concerned[0].self"]
