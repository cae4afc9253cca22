"""The application's own upload path stores material files in an S3-compatible store when
FILE_STORAGE=s3 is configured (here: a real moto server on loopback)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.services import pdf_upload
from tests.world import World
from tongban.catalogue.models import Material
from tongban.forms.services import application_start, application_upload

pytestmark = pytest.mark.django_db


def test_application_upload_goes_to_s3(world: World, moto_endpoint: str, s3_client: Any, s3_bucket: str) -> None:
    storages = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": s3_bucket,
                "endpoint_url": moto_endpoint,
                "access_key": "testing",
                "secret_key": "testing",
                "region_name": "us-east-1",
                "addressing_style": "path",
                "file_overwrite": False,
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        application = application_start(
            person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
        )
        material = Material.objects.get(version=world.version, code="passport")
        upload = application_upload(
            application=application,
            material=material,
            file=pdf_upload(),
            person=world.hr,
            actor=world.actor,
            now=timezone.now(),
        )
        head = s3_client.head_object(Bucket=s3_bucket, Key=upload.file.name)
        assert head["ContentType"] == "application/pdf" and head["ContentLength"] == upload.size
        with upload.file.open("rb") as handle:
            assert handle.read(5) == b"%PDF-"
