"""The case-test world: a firm with an HR manager holding the foreign-staff power, a
registered foreign engineer, a work-permit-like service, officers and a supervisor."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.utils import timezone

from tests.factories import FirmFactory, PersonFactory, PowerFactory, StaffRoleFactory
from tests.services import make_service, pdf_upload
from tongban.cases.models import Case
from tongban.cases.services import case_submit
from tongban.catalogue.models import Material, ServiceVersion
from tongban.core.actors import Actor
from tongban.forms.models import Application
from tongban.forms.services import application_save_step, application_start, application_upload
from tongban.identity.models import Firm, Person, Power, StaffRole


@dataclass
class World:
    version: ServiceVersion
    firm: Firm
    hr: Person
    power: Power
    engineer: Person
    officer: StaffRole
    supervisor: StaffRole
    actor: Actor

    def fill(self, application: Application, *, skip_upload: bool = False, **overrides: object) -> None:
        now = timezone.now()
        employee = {
            "employee_name": "MARTIN Lucas",
            "passport_number": self.engineer.id_number,
            "nationality": str(self.engineer.nationality),
            "annual_salary": "480000",
            "education": "master",
        }
        employee.update({k: v for k, v in overrides.items() if k in employee})
        for step, posted in (("employer", {}), ("employee", employee), ("family", {"has_family": "no"})):
            _values, errors = application_save_step(
                application=application, step_key=step, posted=posted, person=self.hr, now=now
            )
            assert errors == {}, errors
        if skip_upload:
            return
        material = Material.objects.get(version=application.version, code="passport")
        application_upload(
            application=application, material=material, file=pdf_upload(), person=self.hr, actor=self.actor, now=now
        )

    def submitted_case(self) -> Case:
        application = application_start(
            person=self.hr, version=self.version, firm=self.firm, actor=self.actor, now=timezone.now()
        )
        self.fill(application)
        return case_submit(application=application, person=self.hr, actor=self.actor, now=timezone.now())


@pytest.fixture
def world(db) -> World:
    version = make_service(four_eyes=True)
    firm = FirmFactory(foreign_invested=True)
    power = PowerFactory(firm=firm, area="foreign_staff")
    engineer = PersonFactory(foreigner=True, nationality="FR", registry_verified=True)  # holds certificates
    city_office = version.item.agency.offices.get(level="city")
    officer = StaffRoleFactory(agency=version.item.agency, office=city_office)
    supervisor = StaffRoleFactory(agency=version.item.agency, supervisor=True)
    return World(version, firm, power.grantee, power, engineer, officer, supervisor, Actor.system("tests"))
