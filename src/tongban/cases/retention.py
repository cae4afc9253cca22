"""Cases' retention rule (``core.retention``): the uploaded files of cases closed longer than the
limit ago. The case, its history and its materials list stay; each material whose files were
removed is marked (``CaseMaterial.removed_at``), and each upload deleted has its own audit event
(``retention.material_deleted``) in its own transaction. Files go through the storage API after
the commit, once no upload names them (``forms.retention.delete_unreferenced_files``)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from tongban.audit.services import audit_record
from tongban.cases.models import CaseMaterial, MaterialSource
from tongban.core.actors import Actor
from tongban.forms.models import Upload
from tongban.forms.retention import delete_unreferenced_files


def closed_case_materials(*, cutoff: datetime, now: datetime, batch_size: int) -> int:
    """Delete up to ``batch_size`` uploads of cases closed before ``cutoff``; returns how many."""
    ids = list(
        Upload.objects.filter(application__case__closed_at__lt=cutoff)
        .order_by("id")
        .values_list("pk", flat=True)[:batch_size]
    )
    for pk in ids:
        _delete_material(pk, cutoff, now)
    return len(ids)


def _delete_material(pk: int, cutoff: datetime, now: datetime) -> None:
    with transaction.atomic():
        upload = (
            Upload.objects.select_for_update(of=("self",))
            .select_related("material", "application__case")
            .filter(pk=pk, application__case__closed_at__lt=cutoff)
            .first()
        )
        if upload is None:
            return  # deleted by another run since it was listed
        case = upload.application.case
        upload.delete()
        CaseMaterial.objects.filter(
            case=case, material_code=upload.material.code, source=MaterialSource.UPLOAD, removed_at__isnull=True
        ).update(removed_at=now)
        audit_record(
            action="retention.material_deleted",
            actor=Actor.system("retention"),
            object_type="case",
            object_id=case.number,
            data={
                "material": upload.material.code,
                "sha256": upload.sha256,
                "uploaded_at": upload.uploaded_at.isoformat(),
                "closed_at": case.closed_at.isoformat() if case.closed_at else None,
            },
        )
        transaction.on_commit(lambda: delete_unreferenced_files([upload]))
