"""Retention (core.retention and the rules the contexts plug in): exactly the expired records go,
each deletion audited in its transaction (tests/audit_guard.py), and a second run changes nothing."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from tests.audit_guard import audited_writes_checked
from tests.services import pdf_upload
from tests.world import World
from tongban.audit.models import AuditEvent
from tongban.cases.models import Case, CaseEvent, CaseMaterial
from tongban.catalogue.models import Material
from tongban.core.models import ScheduledRun
from tongban.core.retention import apply_retention, retention_job
from tongban.forms.models import Application, ApplicationStatus, Upload
from tongban.forms.services import application_discard, application_start, application_upload

pytestmark = pytest.mark.django_db


def run(now: datetime, capture: Any) -> dict[str, int]:
    with capture(execute=True), audited_writes_checked("apply_retention"):
        return apply_retention(now=now)


def _draft(world: World, *, upload: SimpleUploadedFile | None = None) -> Application:
    application = application_start(
        person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    world.fill(application, skip_upload=True)
    material = Material.objects.get(version=world.version, code="passport")
    application_upload(
        application=application,
        material=material,
        file=upload or pdf_upload(),
        person=world.hr,
        actor=world.actor,
        now=timezone.now(),
    )
    return application


def _age(application: Application, days: int) -> None:
    Application.objects.filter(pk=application.pk).update(updated_at=timezone.now() - timedelta(days=days))


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_drafts_untouched_beyond_the_limit_go_with_their_files(
    world: World, django_capture_on_commit_callbacks
) -> None:
    old, discarded, recent = _draft(world), _draft(world, upload=_other_pdf()), _draft(world)
    application_discard(application=discarded, person=world.hr, actor=world.actor, now=timezone.now())
    _age(old, 181)
    _age(discarded, 200)
    _age(recent, 179)
    old_file = Upload.objects.get(application=old).file.name
    discarded_file = Upload.objects.get(application=discarded).file.name
    assert old_file == Upload.objects.get(application=recent).file.name  # same content: one stored file

    deleted = run(timezone.now(), django_capture_on_commit_callbacks)

    assert deleted["abandoned_drafts"] == 2
    assert list(Application.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Upload.objects.filter(application_id__in=[old.pk, discarded.pk]).exists()
    assert default_storage.exists(old_file)  # still the recent draft's file
    assert not default_storage.exists(discarded_file)
    events = _events("retention.draft_deleted")
    assert sorted(event.object_id for event in events) == sorted([str(old.public_id), str(discarded.public_id)])
    assert {event.data["status"] for event in events} == {ApplicationStatus.DRAFT, ApplicationStatus.ABANDONED}
    assert all(event.actor_kind == "system" for event in events)

    again = run(timezone.now(), django_capture_on_commit_callbacks)
    assert again["abandoned_drafts"] == 0
    assert len(_events("retention.draft_deleted")) == 2
    assert Application.objects.get().pk == recent.pk


def _other_pdf() -> SimpleUploadedFile:
    """A PDF with other content than ``pdf_upload``'s (another page size): another stored file."""
    writer = PdfWriter()
    writer.add_blank_page(width=300, height=300)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile("other.pdf", buffer.getvalue(), content_type="application/pdf")


def test_materials_of_long_closed_cases_go_the_case_and_its_history_stay(
    world: World, django_capture_on_commit_callbacks
) -> None:
    old_case, recent_case, open_case = world.submitted_case(), world.submitted_case(), world.submitted_case()
    now = timezone.now()
    Case.objects.filter(pk=old_case.pk).update(status="closed", closed_at=now - timedelta(days=1826))
    Case.objects.filter(pk=recent_case.pk).update(status="closed", closed_at=now - timedelta(days=1800))
    history = CaseEvent.objects.filter(case=old_case).count()
    files = list(Upload.objects.filter(application_id=old_case.application_id).values_list("sha256", flat=True))
    assert files

    deleted = run(now, django_capture_on_commit_callbacks)

    assert deleted["closed_case_materials"] == len(files)
    assert not Upload.objects.filter(application_id=old_case.application_id).exists()
    for case in (recent_case, open_case):
        assert Upload.objects.filter(application_id=case.application_id).exists()
    assert Case.objects.filter(pk=old_case.pk).exists()
    assert CaseEvent.objects.filter(case=old_case).count() == history
    marked = CaseMaterial.objects.get(case=old_case, material_code="passport")
    assert marked.removed_at is not None
    assert CaseMaterial.objects.get(case=recent_case, material_code="passport").removed_at is None
    events = _events("retention.material_deleted")
    assert [(event.object_id, event.data["sha256"]) for event in events] == [(old_case.number, sha) for sha in files]

    again = run(now, django_capture_on_commit_callbacks)
    assert again["closed_case_materials"] == 0
    assert len(_events("retention.material_deleted")) == len(files)
    marked.refresh_from_db()
    assert CaseMaterial.objects.get(case=old_case, material_code="passport").removed_at == marked.removed_at


def test_expired_sessions_go_with_one_count_event(django_capture_on_commit_callbacks) -> None:
    now = timezone.now()
    for key, expired in (("old" * 11, now - timedelta(days=2)), ("new" * 11, now - timedelta(hours=1))):
        Session.objects.create(session_key=key, session_data="", expire_date=expired)
    Session.objects.create(session_key="live" * 8, session_data="", expire_date=now + timedelta(hours=1))

    deleted = run(now, django_capture_on_commit_callbacks)

    assert deleted["sessions"] == 1
    assert sorted(Session.objects.values_list("session_key", flat=True)) == sorted(["live" * 8, "new" * 11])
    (event,) = _events("retention.sessions_deleted")
    assert event.data["count"] == 1
    assert run(now, django_capture_on_commit_callbacks)["sessions"] == 0
    assert len(_events("retention.sessions_deleted")) == 1


def test_the_scheduler_forgets_old_periods(django_capture_on_commit_callbacks) -> None:
    now = timezone.now()
    ScheduledRun.objects.create(job="x", slot=now - timedelta(days=31), enqueued_at=now)
    ScheduledRun.objects.create(job="x", slot=now - timedelta(days=1), enqueued_at=now)
    assert run(now, django_capture_on_commit_callbacks)["scheduled_runs"] == 1
    assert ScheduledRun.objects.count() == 1


def test_a_limit_of_zero_keeps_records_for_ever(world: World, settings, django_capture_on_commit_callbacks) -> None:
    settings.RETENTION = {**settings.RETENTION, "abandoned_drafts": 0}
    draft = _draft(world)
    _age(draft, 10_000)
    assert "abandoned_drafts" not in run(timezone.now(), django_capture_on_commit_callbacks)
    assert Application.objects.filter(pk=draft.pk).exists()


def test_batches_resume_until_nothing_is_left(world: World, settings, django_capture_on_commit_callbacks) -> None:
    settings.RETENTION_BATCH_SIZE = 2
    drafts = [_draft(world) for _ in range(5)]
    for draft in drafts:
        _age(draft, 365)
    assert run(timezone.now(), django_capture_on_commit_callbacks)["abandoned_drafts"] == 5
    assert not Application.objects.exists()


def test_the_daily_job_applies_retention_at_its_slot(world: World, django_capture_on_commit_callbacks) -> None:
    draft = _draft(world)
    _age(draft, 181)
    slot = (timezone.now() - timedelta(days=2)).isoformat()  # at the slot, the draft was 179 days old
    with django_capture_on_commit_callbacks(execute=True):
        result = retention_job.call(slot=slot)
    assert result["abandoned_drafts"] == 0 and Application.objects.filter(pk=draft.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        result = retention_job.call()
    assert result["abandoned_drafts"] == 1
