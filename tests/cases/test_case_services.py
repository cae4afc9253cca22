"""Cases on the real database: submit (idempotent), the lifecycle with history, audit and
notices, deadlines with the supplement pause, four eyes, permissions and the concurrent-officer
conflict."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import PersonFactory, StaffRoleFactory
from tests.services import make_service, pdf_upload
from tests.world import World
from tongban.audit.models import AuditEvent
from tongban.cases.models import Case, CaseEvent, CaseParty
from tongban.cases.selectors import case_for_person
from tongban.cases.services import case_act, case_assign, case_submit
from tongban.catalogue.models import CertificateType, Material
from tongban.certificates.models import Certificate
from tongban.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from tongban.forms.models import Application
from tongban.forms.services import application_save_step, application_start, application_upload
from tongban.identity.services import power_revoke
from tongban.notifications.models import Message

pytestmark = pytest.mark.django_db


def act(world: World, case: Case, action: str, *, who: str = "officer", **kwargs: object) -> Case:
    case.refresh_from_db()
    account = {"officer": world.officer.account, "supervisor": world.supervisor.account}.get(who)
    person = world.hr if who == "applicant" else None
    return case_act(
        case=case,
        action=action,
        expected_version=case.lock_version,
        account=account,
        person=person,
        actor=world.actor,
        now=timezone.now(),
        **kwargs,
    )


def test_submit_makes_a_case_for_the_firm(world: World) -> None:
    case = world.submitted_case()
    assert case.status == "submitted"
    assert case.number.startswith("TB") and len(case.number) == 16
    assert (case.firm, case.applicant, case.power, case.area) == (world.firm, world.hr, world.power, "foreign_staff")
    assert case.office.level == "city"
    assert case.data["employer"] == world.firm.name_zh  # authoritative prefill
    assert CaseParty.objects.filter(case=case, person=world.engineer).exists()
    event = AuditEvent.objects.get(action="cases.case_submitted")
    assert event.acting_for == f"firm:{world.firm.uscc}" and event.power_id == world.power.pk
    assert Message.objects.filter(recipient=world.hr.account, case_number=case.number).count() == 1


def test_submit_is_idempotent(world: World) -> None:
    application = application_start(
        person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    world.fill(application)
    drafted = Application.objects.get(pk=application.pk).updated_at
    first = case_submit(application=application, person=world.hr, actor=world.actor, now=timezone.now())
    stored = Application.objects.get(pk=application.pk)
    assert (stored.status, stored.submitted_at is not None) == ("submitted", True)
    assert (stored.updated_at > drafted and stored.office_id == first.office_id) or stored.office_id is None
    second = case_submit(application=application, person=world.hr, actor=world.actor, now=timezone.now())
    assert first.pk == second.pk
    assert Case.objects.count() == 1
    assert AuditEvent.objects.filter(action="cases.case_submitted").count() == 1


def test_incomplete_application_says_what_is_missing(world: World) -> None:
    application = application_start(
        person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    application_save_step(
        application=application, step_key="family", posted={"has_family": "yes"}, person=world.hr, now=timezone.now()
    )
    with pytest.raises(ValidationError) as excinfo:
        case_submit(application=application, person=world.hr, actor=world.actor, now=timezone.now())
    missing = set(excinfo.value.message_dict)
    assert {"employee_name", "passport_number", "spouse_name", "material_passport"} <= missing
    assert not Case.objects.exists()


def test_a_bad_value_is_refused_but_the_rest_is_kept(world: World) -> None:
    application = application_start(
        person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    _values, errors = application_save_step(
        application=application,
        step_key="employee",
        posted={"employee_name": "MARTIN Lucas", "annual_salary": "a lot", "nationality": "FR"},
        person=world.hr,
        now=timezone.now(),
    )
    assert "annual_salary" in errors
    application.refresh_from_db()
    assert application.data["employee_name"] == "MARTIN Lucas" and "annual_salary" not in application.data


def test_disguised_upload_is_refused_and_the_draft_kept(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    application = application_start(
        person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    world.fill(application)
    material = Material.objects.get(version=world.version, code="passport")
    fake = SimpleUploadedFile("passport.pdf", b"MZ\x90\x00 this is an executable", content_type="application/pdf")
    with pytest.raises(ValidationError) as excinfo:
        application_upload(
            application=application,
            material=material,
            file=fake,
            person=world.hr,
            actor=world.actor,
            now=timezone.now(),
        )
    assert "material_passport" in excinfo.value.message_dict
    application.refresh_from_db()
    assert application.uploads.filter(superseded_at__isnull=True).count() == 1  # the good file stays
    assert application.data["employee_name"] == "MARTIN Lucas"


def test_full_lifecycle_with_supplement_pause_and_four_eyes(world: World, django_capture_on_commit_callbacks) -> None:
    case = world.submitted_case()
    case = act(world, case, "accept")
    assert case.accepted_at is not None and case.statutory_due_on and case.promised_due_on
    case = act(world, case, "start_review")
    due_before = case.statutory_due_on
    case = act(world, case, "request_supplement", materials=["passport"], items=["A clearer scan of page 2"])
    assert case.status == "supplement_requested"
    assert [item["material"] for item in case.supplement_items] == ["passport", ""]
    with pytest.raises(ValidationError):  # the requested material must be uploaded again first
        act(world, case, "resubmit", who="applicant")
    material = Material.objects.get(version=world.version, code="passport")
    application_upload(
        application=case.application,
        material=material,
        file=pdf_upload("clearer.pdf"),
        person=world.hr,
        actor=world.actor,
        now=timezone.now(),
        for_supplement=True,
    )
    case = act(world, case, "resubmit", who="applicant")
    # The supplement puts the case back under review at once: a step of the system, audited.
    assert case.status == "under_review" and case.statutory_due_on >= due_before
    resumed = CaseEvent.objects.filter(case=case).order_by("-id").first()
    assert resumed is not None
    assert (resumed.action, resumed.actor_role, resumed.from_status, resumed.to_status) == (
        "start_review",
        "system",
        "resubmitted",
        "under_review",
    )
    audit = AuditEvent.objects.filter(object_id=case.number, action="cases.start_review").order_by("-id").first()
    assert audit is not None and audit.actor_kind == "system" and audit.data["after"] == "resubmit"
    with pytest.raises(ConflictError):  # four eyes: an officer cannot decide alone
        act(world, case, "approve")
    case = act(world, case, "propose_approval", reason="Meets category B")
    assert case.proposal["decision"] == "approve"
    with django_capture_on_commit_callbacks(execute=True):
        case = act(world, case, "approve", who="supervisor")
    assert case.status == "approved" and case.decided_at is not None and case.decision_reason == "Meets category B"
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == [
        "submit",
        "accept",
        "start_review",
        "request_supplement",
        "resubmit",
        "start_review",
        "propose_approval",
        "approve",
    ]
    audited = set(AuditEvent.objects.filter(object_id=case.number).values_list("action", flat=True))
    assert {"cases.accept", "cases.request_supplement", "cases.resubmit", "cases.approve"} <= audited
    subjects = list(Message.objects.filter(recipient=world.hr.account).values_list("subject_en", flat=True))
    # every transition told the applicant, in both languages (the review resuming is in the notice
    # that the supplement arrived)
    assert len(subjects) == len(actions) - 1
    assert not Message.objects.filter(recipient=world.hr.account, subject_zh="").exists()
    assert any("please supply more" in subject for subject in subjects)
    assert any("approved" in subject for subject in subjects)
    assert Message.objects.filter(recipient=world.engineer.account, subject_en__contains="approved").exists()
    # E-mail goes out in each recipient's own language (the HR manager reads Chinese in the factory
    # default, the engineer below is switched to English).
    hr_subject = Message.objects.filter(recipient=world.hr.account, subject_en__contains="approved").get()
    sent = {email.subject for email in mail.outbox}
    assert hr_subject.subject(world.hr.account.preferred_language) in sent


def test_supervisor_who_proposed_cannot_approve_own_proposal(world: World) -> None:
    dual = StaffRoleFactory(
        account=world.supervisor.account, agency=world.version.item.agency, office=world.officer.office
    )
    assert dual.role == "officer"
    case = world.submitted_case()
    for action in ("accept", "start_review"):
        case = act(world, case, action)
    case = act(world, case, "propose_approval", who="supervisor")
    with pytest.raises(PermissionDeniedError):
        act(world, case, "approve", who="supervisor")


def test_reject_needs_reason_and_legal_basis(world: World) -> None:
    case = world.submitted_case()
    case = act(world, case, "accept")
    case = act(world, case, "start_review")
    with pytest.raises(ValidationError) as excinfo:
        act(world, case, "propose_rejection", reason="")
    assert {"reason"} <= set(excinfo.value.message_dict)


def test_two_officers_at_once_one_wins(world: World) -> None:
    case = world.submitted_case()
    seen = case.lock_version
    case_act(
        case=case,
        action="accept",
        expected_version=seen,
        account=world.officer.account,
        actor=world.actor,
        now=timezone.now(),
    )
    other = StaffRoleFactory(agency=world.version.item.agency, office=world.officer.office)
    with pytest.raises(ConflictError) as excinfo:
        case_act(
            case=case,
            action="refuse_acceptance",
            reason="incomplete",
            expected_version=seen,
            account=other.account,
            actor=world.actor,
            now=timezone.now(),
        )
    assert "changed since you opened it" in str(excinfo.value.message)
    case.refresh_from_db()
    assert case.status == "accepted"
    assert CaseEvent.objects.filter(case=case, action="refuse_acceptance").count() == 0


def test_officers_of_another_office_or_agency_are_refused(world: World) -> None:
    case = world.submitted_case()
    elsewhere = StaffRoleFactory()  # another agency
    same_agency_district = StaffRoleFactory(
        agency=world.version.item.agency,
        office__agency=world.version.item.agency,
        office__level="district",
        office__district_code="310115",
    )
    for role in (elsewhere, same_agency_district):
        with pytest.raises(PermissionDeniedError):
            case_act(
                case=case,
                action="accept",
                expected_version=case.lock_version,
                account=role.account,
                actor=world.actor,
                now=timezone.now(),
            )


def test_applicant_cannot_act_as_officer_and_stranger_cannot_withdraw(world: World) -> None:
    case = world.submitted_case()
    with pytest.raises(ConflictError):
        act(world, case, "accept", who="applicant")
    stranger = PersonFactory()
    with pytest.raises(PermissionDeniedError):
        case_act(
            case=case,
            action="withdraw",
            expected_version=case.lock_version,
            person=stranger,
            actor=world.actor,
            now=timezone.now(),
        )


def test_person_concerned_sees_read_only(world: World) -> None:
    case = world.submitted_case()
    access = case_for_person(number=case.number, person=world.engineer, now=timezone.now())
    assert access.can_act is False
    with pytest.raises(PermissionDeniedError):
        case_act(
            case=case,
            action="withdraw",
            expected_version=case.lock_version,
            person=world.engineer,
            actor=world.actor,
            now=timezone.now(),
        )
    with pytest.raises(NotFoundError):
        case_for_person(number=case.number, person=PersonFactory(), now=timezone.now())


def test_revoked_power_stops_the_applicant(world: World) -> None:
    application = application_start(
        person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    world.fill(application)
    power_revoke(
        power=world.power, revoked_by=world.firm.legal_representative, reason="", actor=world.actor, now=timezone.now()
    )
    with pytest.raises(PermissionDeniedError):
        case_submit(application=application, person=world.hr, actor=world.actor, now=timezone.now())
    with pytest.raises(PermissionDeniedError):
        application_save_step(
            application=application, step_key="employer", posted={}, person=world.hr, now=timezone.now()
        )
    application.refresh_from_db()
    assert application.status == "draft"


def test_withdraw_before_decision_only(world: World) -> None:
    case = world.submitted_case()
    case = act(world, case, "withdraw", who="applicant")
    assert case.status == "withdrawn" and case.closed_at is not None
    with pytest.raises(ConflictError):
        act(world, case, "withdraw", who="applicant")


def receipt_type() -> CertificateType:
    return CertificateType.objects.create(
        code="test-receipt",
        name_zh="测试回执",
        name_en="Test Receipt",
        holder="applicant",
        number_prefix="RC",
        fields=[{"name": "applicant", "label": {"zh": "姓名", "en": "Name"}, "source": "holder.name", "public": True}],
    )


def test_instant_filing_is_closed_with_its_receipt_delivered(db) -> None:
    """An instant filing is closed at once and delivers the document it declares: signed, in the
    applicant's wallet, named by the case (ADR 0033)."""
    version = make_service(
        code="instant-report",
        workflow="instant",
        for_firms=False,
        for_individuals=True,
        area="annual_report",
        materials=[],
        schema=__import__("tests.services").services.PERSONAL_SCHEMA,
        layout=__import__("tests.services").services.PERSONAL_LAYOUT,
        certificate_type=receipt_type(),
    )
    person = PersonFactory(registry_verified=True)
    actor = world_actor()
    application = application_start(person=person, version=version, firm=None, actor=actor, now=timezone.now())
    _values, errors = application_save_step(
        application=application, step_key="you", posted={"reason": "Annual"}, person=person, now=timezone.now()
    )
    assert errors == {}
    with CaptureQueriesContext(connection) as captured:
        case = case_submit(application=application, person=person, actor=actor, now=timezone.now())
    assert case.status == "closed" and case.accepted_at == case.closed_at
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == ["submit", "accept", "close"]
    assert Message.objects.get(recipient=person.account).subject_en.startswith("Filing")
    # Only the submit's own transaction opens one (a savepoint inside the test's): issuing the
    # certificate opens none, and its number is drawn again on a clash by ON CONFLICT DO NOTHING.
    savepoints = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SAVEPOINT")]
    assert len(savepoints) == 1, savepoints
    assert case.data["name"] == person.name  # authoritative prefill from the identity
    receipt = Certificate.objects.get(case_number=case.number)
    assert receipt.holder_person == person and receipt.jws and receipt.fields["applicant"]


def test_an_instant_service_is_published_only_with_the_document_it_delivers(db) -> None:
    """An instant filing has no decision to show: publishing one that names no document is refused."""
    with pytest.raises(ValidationError) as refused:
        make_service(code="instant-nothing", workflow="instant", for_firms=False, for_individuals=True)
    assert "certificate_type" in refused.value.message_dict


def test_assignment(world: World) -> None:
    case = world.submitted_case()
    case = case_assign(
        case=case,
        assignee=world.officer.account,
        by=world.officer.account,
        expected_version=case.lock_version,
        actor=world.actor,
        now=timezone.now(),
    )
    assert case.assigned_to == world.officer.account
    other = StaffRoleFactory(agency=world.version.item.agency, office=world.officer.office)
    with pytest.raises(PermissionDeniedError):  # officers take cases, only supervisors give them
        case_assign(
            case=case,
            assignee=other.account,
            by=world.officer.account,
            expected_version=case.lock_version,
            actor=world.actor,
            now=timezone.now(),
        )
    case = case_assign(
        case=case,
        assignee=other.account,
        by=world.supervisor.account,
        expected_version=case.lock_version,
        actor=world.actor,
        now=timezone.now(),
    )
    assert case.assigned_to == other.account


def test_deadline_counts_from_the_next_working_day(world: World) -> None:
    case = world.submitted_case()
    accepted = case_act(
        case=case,
        action="accept",
        expected_version=case.lock_version,
        account=world.officer.account,
        actor=world.actor,
        now=timezone.now(),
    )
    assert accepted.promised_due_on > timezone.localdate()
    assert accepted.statutory_due_on >= accepted.promised_due_on
    assert accepted.statutory_due_on - timezone.localdate() >= timedelta(days=10)


def world_actor():
    from tongban.core.actors import Actor

    return Actor.system("tests")


def test_applications_belong_to_their_owner(world: World) -> None:
    application = application_start(
        person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    with pytest.raises(PermissionDeniedError):
        application_save_step(
            application=application, step_key="employer", posted={}, person=world.engineer, now=timezone.now()
        )
    assert Application.objects.get(pk=application.pk).data == application.data


@pytest.mark.django_db(transaction=True)
def test_two_officers_in_parallel_on_postgresql(world: World) -> None:
    """Both pass every check at the same moment; the row version lets exactly one write."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("true parallel writers need PostgreSQL; this runs in the PostgreSQL pass")
    case = world.submitted_case()
    other = StaffRoleFactory(agency=world.version.item.agency, office=world.officer.office)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(account, action, reason) -> None:
        try:
            barrier.wait(5)
            case_act(
                case=case,
                action=action,
                reason=reason,
                expected_version=case.lock_version,
                account=account,
                actor=world.actor,
                now=timezone.now(),
            )
            outcomes.append("won")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(world.officer.account, "accept", "")),
        threading.Thread(target=attempt, args=(other.account, "refuse_acceptance", "incomplete")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "won"]
    assert CaseEvent.objects.filter(case=case).exclude(action="submit").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_click_in_parallel_on_postgresql_makes_one_case(world: World) -> None:
    """Two submits of one application at the same moment (two browser tabs, a retried request):
    the application row is locked, so the second waits, finds it submitted and answers with the
    same case."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("true parallel writers need PostgreSQL; this runs in the PostgreSQL pass")
    application = application_start(
        person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    world.fill(application)
    barrier = threading.Barrier(2)
    numbers: list[str] = []

    def attempt() -> None:
        try:
            barrier.wait(5)
            case = case_submit(
                application=str(application.public_id), person=world.hr, actor=world.actor, now=timezone.now()
            )
            numbers.append(case.number)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(numbers) == 2 and numbers[0] == numbers[1]
    assert Case.objects.filter(application=application).count() == 1
    assert AuditEvent.objects.filter(action="cases.case_submitted").count() == 1


def test_submit_by_public_id_finds_only_the_applicants_own_draft(world: World) -> None:
    application = application_start(
        person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    world.fill(application)
    for public_id, person in ((str(application.public_id), PersonFactory()), ("not-a-uuid", world.hr)):
        with pytest.raises(NotFoundError):
            case_submit(application=public_id, person=person, actor=world.actor, now=timezone.now())
    case = case_submit(application=str(application.public_id), person=world.hr, actor=world.actor, now=timezone.now())
    assert case.application_id == application.pk and case.version.item.agency_id == world.version.item.agency_id


def test_case_page_reads_the_case_its_history_and_files_for_those_who_may_see_it(world: World) -> None:
    from tongban.cases.selectors import case_page_for_person

    case = world.submitted_case()
    other = world.submitted_case()  # another case of the same applicant: its rows must not mix in
    act(world, other, "accept", who="officer")
    page = case_page_for_person(number=case.number, person=world.hr, now=timezone.now())
    assert page.access.case.pk == case.pk and page.access.can_act is True
    assert page.access.case.version.name_en == case.version.name_en
    assert (
        [event.action for event in page.events]
        == list(case.events.order_by("id").values_list("action", flat=True))
        == ["submit"]
    )
    assert [(u.pk, u.material.code) for u in page.uploads] == [
        (u.pk, u.material.code) for u in case.application.uploads.order_by("uploaded_at", "id")
    ]
    assert page.uploads and page.uploads[0].material.code == "passport"
    concerned = case_page_for_person(number=case.number, person=world.engineer, now=timezone.now())
    assert concerned.access.can_act is False and len(concerned.events) == 1
    with pytest.raises(NotFoundError):  # a stranger learns nothing, not even the history
        case_page_for_person(number=case.number, person=PersonFactory(), now=timezone.now())
    with pytest.raises(NotFoundError):
        case_page_for_person(number="TB-NO-SUCH", person=world.hr, now=timezone.now())
