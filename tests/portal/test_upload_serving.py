"""Uploaded files are served as downloads, never inline, sandboxed and not sniffed, to the
applicant and to the officer alike; a PDF with a script is refused on upload (ADR 0027)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from tests.world import World
from tongban.catalogue.models import Material
from tongban.forms.services import application_start, application_upload
from tongban.identity.models import Account

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]


def _sandboxed_download(response: Any) -> None:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_the_applicant_and_the_officer_download_a_material_sandboxed(
    world: World, login_person: Login, login_staff: Login
) -> None:
    case = world.submitted_case()
    upload = case.application.uploads.get()
    applicant = Client()
    login_person(applicant, world.hr.account)
    _sandboxed_download(applicant.get(f"/en/my/cases/{case.number}/files/{upload.pk}/"))
    officer = Client()
    login_staff(officer, world.officer.account)
    _sandboxed_download(officer.get(f"/en/backoffice/cases/{case.number}/files/{upload.pk}/"))


def test_a_pdf_with_a_script_is_refused_on_upload_with_a_field_error(world: World) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.launchURL('x')")}
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    application = application_start(
        person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    material = Material.objects.get(version=world.version, code="passport")
    with pytest.raises(ValidationError) as refused:
        application_upload(
            application=application,
            material=material,
            file=SimpleUploadedFile("scan.pdf", buffer.getvalue(), content_type="application/pdf"),
            person=world.hr,
            actor=world.actor,
            now=timezone.now(),
        )
    assert "active content" in refused.value.message_dict["material_passport"][0]
    assert not application.uploads.exists()
