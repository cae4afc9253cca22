"""factory_boy factories for identity, with a trait per state (verified, expired, revoked...)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import factory
from django.utils import timezone
from stdnum.cn import ric, uscc

from tongban.identity.models import (
    Account,
    Agency,
    AgencyOffice,
    Firm,
    FirmType,
    IdType,
    Person,
    Power,
    ServiceArea,
    ServiceCentre,
    StaffRole,
    VerificationLevel,
)

PASSWORD = "Correct-Horse-Battery-9"
_serial = itertools.count(1)


def resident_id_number() -> str:
    """A valid, unique resident ID number (Xuhui district, born 1985)."""
    body = f"310104198501{(next(_serial) % 28) + 1:02d}{next(_serial) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def uscc_code() -> str:
    body = f"91310104MA1{next(_serial):06d}"
    body = body.replace("0", "1")  # keep to the alphabet, any digits are fine
    return body + uscc.calc_check_digit(body)


class AccountFactory(factory.django.DjangoModelFactory[Account]):
    class Meta:
        model = Account
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj: Account, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        if create:
            obj.save()


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    account = factory.SubFactory(AccountFactory)
    id_type = IdType.RESIDENT_ID
    id_number = factory.LazyFunction(resident_id_number)
    nationality = "CN"
    name = factory.Sequence(lambda n: f"张{n}")
    verification_level = VerificationLevel.SELF_REGISTERED

    class Params:
        foreigner = factory.Trait(
            id_type=IdType.PASSPORT,
            id_number=factory.Sequence(lambda n: f"P{n:07d}"),
            nationality="DE",
            name=factory.Sequence(lambda n: f"MUELLER Anna {n}"),
            latin_name=factory.SelfAttribute("name"),
        )
        registry_verified = factory.Trait(verification_level=VerificationLevel.REGISTRY_VERIFIED)
        in_person_verified = factory.Trait(verification_level=VerificationLevel.IN_PERSON_VERIFIED)
        without_account = factory.Trait(account=None)


class FirmFactory(factory.django.DjangoModelFactory[Firm]):
    class Meta:
        model = Firm

    uscc = factory.LazyFunction(uscc_code)
    name_zh = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    name_en = factory.Sequence(lambda n: f"Test Enterprise {n} Co., Ltd.")
    firm_type = FirmType.LIMITED_COMPANY
    legal_representative = factory.SubFactory(PersonFactory)

    class Params:
        foreign_invested = factory.Trait(firm_type=FirmType.FOREIGN_INVESTED)


class PowerFactory(factory.django.DjangoModelFactory[Power]):
    class Meta:
        model = Power

    firm = factory.SubFactory(FirmFactory)
    grantee = factory.SubFactory(PersonFactory)
    area = ServiceArea.SOCIAL_SECURITY
    granted_by = factory.SelfAttribute("firm.legal_representative")
    granted_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))

    class Params:
        expired = factory.Trait(
            granted_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=40)),
            expires_at=factory.LazyFunction(lambda: timezone.now() - timedelta(seconds=1)),
        )
        revoked = factory.Trait(
            revoked_at=factory.LazyFunction(timezone.now), revoked_by=factory.SelfAttribute("granted_by")
        )


class AgencyFactory(factory.django.DjangoModelFactory[Agency]):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"agency-{n}")
    name_zh = factory.Sequence(lambda n: f"测试局{n}")
    name_en = factory.Sequence(lambda n: f"Test Bureau {n}")


class AgencyOfficeFactory(factory.django.DjangoModelFactory[AgencyOffice]):
    class Meta:
        model = AgencyOffice
        django_get_or_create = ("agency", "district_code")

    agency = factory.SubFactory(AgencyFactory)
    level = "city"
    district_code = ""
    name_zh = factory.LazyAttribute(lambda o: f"{o.agency.name_zh}（市级）")
    name_en = factory.LazyAttribute(lambda o: f"{o.agency.name_en} (city)")

    class Params:
        district = factory.Trait(
            level="district",
            district_code="310104",
            name_zh=factory.LazyAttribute(lambda o: f"{o.agency.name_zh}徐汇分局"),
            name_en=factory.LazyAttribute(lambda o: f"{o.agency.name_en}, Xuhui"),
        )


class ServiceCentreFactory(factory.django.DjangoModelFactory[ServiceCentre]):
    class Meta:
        model = ServiceCentre

    code = factory.Sequence(lambda n: f"centre-{n}")
    name_zh = factory.Sequence(lambda n: f"服务中心{n}")
    name_en = factory.Sequence(lambda n: f"Service Centre {n}")
    address_zh = "测试路1号"
    address_en = "1 Test Road"


class StaffRoleFactory(factory.django.DjangoModelFactory[StaffRole]):
    class Meta:
        model = StaffRole

    account = factory.SubFactory(AccountFactory)
    role = "officer"
    agency = factory.SubFactory(AgencyFactory)
    service_centre = None
    office = factory.SubFactory(AgencyOfficeFactory, agency=factory.SelfAttribute("..agency"))
    granted_at = factory.LazyFunction(timezone.now)

    class Params:
        supervisor = factory.Trait(role="supervisor", office=None)
        agency_admin = factory.Trait(role="agency_admin", office=None)
        clerk = factory.Trait(
            role="clerk", agency=None, office=None, service_centre=factory.SubFactory(ServiceCentreFactory)
        )
        city_operator = factory.Trait(role="city_operator", agency=None, service_centre=None, office=None)
