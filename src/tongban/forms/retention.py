"""Forms' retention rule (``core.retention``): drafts nobody touched for longer than the limit —
open drafts and drafts the applicant deleted — go, with their uploads and the files.

Each draft is deleted in its own transaction with one audit event (``retention.draft_deleted``),
after checking again under a row lock that it is still an untouched draft (a save in between keeps
it). Files are removed through the storage API after the commit, and only when no upload row names
them any more: storage names are content-addressed, so two drafts may share one file."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from tongban.audit.services import audit_record
from tongban.core.actors import Actor
from tongban.forms.models import Application, ApplicationStatus, Upload

UNFINISHED = (ApplicationStatus.DRAFT, ApplicationStatus.ABANDONED)


def delete_unreferenced_files(uploads: list[Upload]) -> None:
    """Delete the stored files of ``uploads`` (already deleted rows) that no upload names any more."""
    for upload in uploads:
        name = upload.file.name
        if name and not Upload.objects.filter(file=name).exists():
            upload.file.storage.delete(name)


def abandoned_drafts(*, cutoff: datetime, now: datetime, batch_size: int) -> int:
    """Delete up to ``batch_size`` drafts last changed before ``cutoff``; returns how many."""
    ids = list(
        Application.objects.filter(status__in=UNFINISHED, updated_at__lt=cutoff)
        .order_by("updated_at", "id")
        .values_list("pk", flat=True)[:batch_size]
    )
    for pk in ids:
        _delete_draft(pk, cutoff)
    return len(ids)


def _delete_draft(pk: int, cutoff: datetime) -> None:
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("version__item")
            .filter(pk=pk, status__in=UNFINISHED, updated_at__lt=cutoff)
            .first()
        )
        if application is None:
            return  # touched, submitted or deleted since it was listed
        uploads = list(Upload.objects.filter(application=application))
        Upload.objects.filter(application=application).delete()
        application.held.all().delete()
        application.delete()
        audit_record(
            action="retention.draft_deleted",
            actor=Actor.system("retention"),
            object_type="application",
            object_id=str(application.public_id),
            data={
                "status": application.status,
                "service": application.version.item.code,
                "updated_at": application.updated_at.isoformat(),
                "uploads": len(uploads),
            },
        )
        transaction.on_commit(lambda: delete_unreferenced_files(uploads))
