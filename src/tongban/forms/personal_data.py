"""Forms' part of the personal-data export (``core.personal_data``): the person's drafts (open or
deleted, not yet gone under retention) with the files uploaded for them. Drafts started for a firm
are listed without their content: that is the firm's, seen through a power that may have ended.
Two queries, whatever the number of drafts and files."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from tongban.forms.models import Application, ApplicationStatus, Upload
from tongban.identity.models import Person


def _upload(upload: Upload) -> dict[str, Any]:
    return {
        "material": upload.material.code,
        "file_name": upload.original_name,
        "content_type": upload.content_type,
        "size": upload.size,
        "sha256": upload.sha256,
        "uploaded_at": upload.uploaded_at,
        "superseded_at": upload.superseded_at,
    }


def drafts_section(person: Person) -> list[dict[str, Any]]:
    drafts = (
        Application.objects.filter(person=person, status__in=(ApplicationStatus.DRAFT, ApplicationStatus.ABANDONED))
        .select_related("version__item", "firm")
        .prefetch_related(
            Prefetch("uploads", queryset=Upload.objects.select_related("material").order_by("uploaded_at", "id"))
        )
        .order_by("created_at", "id")
    )
    rows: list[dict[str, Any]] = []
    for draft in drafts:
        row: dict[str, Any] = {
            "public_id": draft.public_id,
            "service": draft.version.item.code,
            "status": draft.status,
            "firm": draft.firm.uscc if draft.firm else None,
            "created_at": draft.created_at,
            "updated_at": draft.updated_at,
        }
        if draft.firm is None:
            row["data"] = draft.data
            row["uploads"] = [_upload(upload) for upload in draft.uploads.all()]
        rows.append(row)
    return rows
