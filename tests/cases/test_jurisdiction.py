"""Jurisdiction: a district-level service goes to the office of the applicant's registered
district (or the office they choose); officers only see their own office's cases."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import AgencyFactory, AgencyOfficeFactory, PersonFactory, StaffRoleFactory
from tests.services import PERSONAL_LAYOUT, PERSONAL_SCHEMA, make_service
from tongban.cases.selectors import staff_queue
from tongban.cases.services import case_submit
from tongban.core.actors import Actor
from tongban.forms.models import Application
from tongban.forms.services import application_save_step, application_start

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("tests")


def district_service():
    agency = AgencyFactory()
    version = make_service(
        code="district-benefit",
        agency=agency,
        area="social_security",
        for_firms=False,
        for_individuals=True,
        handling_level="district",
        materials=[],
        schema=PERSONAL_SCHEMA,
        layout=PERSONAL_LAYOUT,
    )
    xuhui = AgencyOfficeFactory(agency=agency, district=True)  # 310104
    pudong = AgencyOfficeFactory(
        agency=agency, level="district", district_code="310115", name_zh="浦东分局", name_en="Pudong"
    )
    return version, xuhui, pudong


def apply(version, person, *, office=None):
    application = application_start(person=person, version=version, firm=None, actor=ACTOR, now=timezone.now())
    application_save_step(
        application=application, step_key="you", posted={"reason": "Lost my job"}, person=person, now=timezone.now()
    )
    if office is not None:
        Application.objects.filter(pk=application.pk).update(office=office)
        application.refresh_from_db()
    return case_submit(application=application, person=person, actor=ACTOR, now=timezone.now())


def test_case_goes_to_the_registered_district() -> None:
    version, xuhui, pudong = district_service()
    resident = PersonFactory()  # factory numbers are registered in Xuhui (310104)
    resident.registered_district = "310104"
    resident.save()
    case = apply(version, resident)
    assert case.office == xuhui
    xuhui_officer = StaffRoleFactory(agency=version.item.agency, office=xuhui)
    pudong_officer = StaffRoleFactory(agency=version.item.agency, office=pudong)
    supervisor = StaffRoleFactory(agency=version.item.agency, supervisor=True)
    assert case in staff_queue(account=xuhui_officer.account)
    assert case not in staff_queue(account=pudong_officer.account)
    assert case in staff_queue(account=supervisor.account)


def test_without_a_district_office_the_applicant_must_choose() -> None:
    version, _xuhui, pudong = district_service()
    foreigner = PersonFactory(foreigner=True)  # no registered district
    with pytest.raises(ValidationError) as excinfo:
        apply(version, foreigner)
    assert "office" in excinfo.value.message_dict
    case = apply(version, foreigner, office=pudong)
    assert case.office == pudong


def test_city_level_service_goes_to_the_city_office() -> None:
    version = make_service(
        code="city-thing",
        for_firms=False,
        for_individuals=True,
        materials=[],
        schema=PERSONAL_SCHEMA,
        layout=PERSONAL_LAYOUT,
    )
    case = apply(version, PersonFactory())
    assert case.office.level == "city"


def test_s3_storage_is_selected_by_configuration() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tongban.conf.base", "FILE_STORAGE": "s3", "S3_BUCKET": "files"}
    code = "from django.conf import settings; o = settings.STORAGES['default']['OPTIONS']; print(o['backend'], o['options']['bucket_name'])"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split()[-2:] == ["storages.backends.s3.S3Storage", "files"]
