"""Identity data: accounts, people, firms, delegated powers, agencies, centres and staff roles.

Models hold data and single-row rules; every write goes through ``services.py``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from tongban.core.crypto import lookup_digests
from tongban.core.fields import EncryptedTextField, LookupDigestField
from tongban.core.masking import mask_identifier
from tongban.core.validators import validate_plain_text
from tongban.identity.idnumbers import normalise


class VerificationLevel(models.IntegerChoices):
    """How sure the platform is that an account belongs to the person or firm it names."""

    SELF_REGISTERED = 1, _("Self-registered")
    REGISTRY_VERIFIED = 2, _("Verified against the registry")
    IN_PERSON_VERIFIED = 3, _("Verified in person at a window")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident identity card")
    HMT_PERMIT = "hmt_permit", _("Residence permit for Hong Kong, Macao and Taiwan residents")
    FOREIGN_PERMANENT_ID = "foreign_permanent_id", _("Foreigner's permanent residence ID card")
    PASSPORT = "passport", _("Passport")


class ServiceArea(models.TextChoices):
    """The fixed vocabulary of areas in which a firm delegates powers to its staff.

    The catalogue maps every service a firm can apply for onto exactly one of these.
    """

    SOCIAL_SECURITY = "social_security", _("Social security")
    FOREIGN_STAFF = "foreign_staff", _("Foreign staff")
    ANNUAL_REPORT = "annual_report", _("Annual report")
    LICENCES = "licences", _("Licences and permits")
    TAX = "tax", _("Tax")


class FirmType(models.TextChoices):
    LIMITED_COMPANY = "limited_company", _("Limited liability company")
    JOINT_STOCK = "joint_stock", _("Joint stock company")
    FOREIGN_INVESTED = "foreign_invested", _("Foreign-invested enterprise")
    SOLE_PROPRIETORSHIP = "sole_proprietorship", _("Sole proprietorship")
    PARTNERSHIP = "partnership", _("Partnership")
    INDIVIDUAL_BUSINESS = "individual_business", _("Individual business")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")


class StaffRoleKind(models.TextChoices):
    OFFICER = "officer", _("Officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENCY_ADMIN = "agency_admin", _("Agency administrator")
    CLERK = "clerk", _("Service-centre clerk")
    CITY_OPERATOR = "city_operator", _("City operator")
    CENTRE_HEAD = "centre_head", _("Service-centre head")


AGENCY_ROLES = (StaffRoleKind.OFFICER, StaffRoleKind.SUPERVISOR, StaffRoleKind.AGENCY_ADMIN)


class AccountManager(BaseUserManager["Account"]):
    def get_by_natural_key(self, username: str | None) -> Account:
        return self.get(username=(username or "").strip().lower())

    def create_user(self, username: str, password: str | None = None, **extra: Any) -> Account:
        account = self.model(username=username.strip().lower(), **extra)
        account.set_password(password)
        account.save(using=self._db)
        return account


class Account(AbstractBaseUser):
    """A login. A person's account has a :class:`Person`; a staff account has staff roles."""

    username = models.CharField(
        _("user name"),
        max_length=64,
        unique=True,
        validators=[validate_plain_text],
        help_text=_("Letters, digits and . _ - ; not case-sensitive."),
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True, validators=[validate_plain_text])
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True, validators=[validate_plain_text])
    preferred_language = models.CharField(max_length=8, default="zh-hans")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = AccountManager()

    def __str__(self) -> str:
        return self.display_name or self.username


class PersonQuerySet(models.QuerySet["Person"]):
    def with_id_number(self, number: str) -> PersonQuerySet:
        """Persons whose document number is ``number`` (any format ``idnumbers.normalise`` folds):
        an equality search through the digest column, under every lookup key of the ring."""
        return self.filter(id_number_digest__in=lookup_digests(normalise(number)))


class Person(models.Model):
    """A natural person: a Chinese resident, a resident of Hong Kong/Macao/Taiwan, or a foreigner.

    The document number is encrypted at rest; ``id_number_digest`` (HMAC of the normalised number)
    is what searches and the uniqueness rules use (ADR 0029)."""

    #: A stable pseudonymous identifier, used where the person must be named to the outside world
    #: (the ``sub`` of their e-certificates) without revealing an identity number.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    account = models.OneToOneField(Account, null=True, blank=True, on_delete=models.PROTECT, related_name="person")
    id_type = models.CharField(max_length=24, choices=IdType.choices)
    id_number = EncryptedTextField(max_length=20)
    id_number_digest = LookupDigestField(of="id_number", normalise=normalise)
    nationality = CountryField(help_text="ISO 3166-1 alpha-2")
    name = models.CharField(_("name"), max_length=100, validators=[validate_plain_text])
    latin_name = models.CharField(
        _("name in Latin script"), max_length=100, blank=True, validators=[validate_plain_text]
    )
    birth_date = models.DateField(null=True, blank=True)
    registered_district = models.CharField(
        max_length=6, blank=True, help_text="Region code of the household registration or residence."
    )
    verification_level = models.PositiveSmallIntegerField(
        choices=VerificationLevel.choices, default=VerificationLevel.SELF_REGISTERED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_digest"],
                condition=~Q(id_type="passport"),
                name="identity_person_unique_id_number",
            ),
            models.UniqueConstraint(
                fields=["nationality", "id_number_digest"],
                condition=Q(id_type="passport"),
                name="identity_person_unique_passport",
            ),
            models.CheckConstraint(
                condition=~Q(id_type="passport") | ~Q(latin_name=""), name="identity_person_passport_latin_name"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.latin_name and self.latin_name != self.name:
            return f"{self.name} ({self.latin_name})" if self.name else self.latin_name
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_identifier(self.id_number)


class Agency(models.Model):
    """A government agency (a bureau or commission) whose officers handle cases."""

    code = models.SlugField(max_length=32, unique=True)
    name_zh = models.CharField(max_length=100, validators=[validate_plain_text])
    name_en = models.CharField(max_length=150, validators=[validate_plain_text])
    head_zh = models.CharField(max_length=100, blank=True)
    head_en = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    address_zh = models.CharField(max_length=200, blank=True)
    address_en = models.CharField(max_length=200, blank=True)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name_en


class OfficeLevel(models.TextChoices):
    CITY = "city", _("City level")
    DISTRICT = "district", _("District level")


class AgencyOffice(models.Model):
    """An office of an agency: the city-level office or one district's office. A case goes to the
    competent office; officers work within theirs."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="offices", db_index=False)
    level = models.CharField(max_length=16, choices=OfficeLevel.choices)
    district_code = models.CharField(max_length=6, blank=True, help_text="Region code; empty for the city office.")
    name_zh = models.CharField(max_length=120, validators=[validate_plain_text])
    name_en = models.CharField(max_length=200, validators=[validate_plain_text])
    address_zh = models.CharField(max_length=200, blank=True)
    address_en = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["agency_id", "level", "district_code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "district_code"], name="identity_office_one_per_district"),
            models.CheckConstraint(
                condition=Q(level="city", district_code="") | (Q(level="district") & ~Q(district_code="")),
                name="identity_office_level_district",
            ),
        ]

    def __str__(self) -> str:
        return self.name_en


class CentreLevel(models.TextChoices):
    """Where a centre stands: the city's centre, a district's, or a street's community centre."""

    CITY = "city", pgettext_lazy("centre level", "City")
    DISTRICT = "district", pgettext_lazy("centre level", "District")
    COMMUNITY = "community", pgettext_lazy("centre level", "Community")


class ServiceCentre(models.Model):
    """A service centre with windows where clerks handle cases in person."""

    code = models.SlugField(max_length=32, unique=True)
    name_zh = models.CharField(max_length=100, validators=[validate_plain_text])
    name_en = models.CharField(max_length=150, validators=[validate_plain_text])
    address_zh = models.CharField(max_length=200)
    address_en = models.CharField(max_length=200)
    phone = models.CharField(max_length=30, blank=True)
    district = models.CharField(max_length=6, blank=True)
    accessibility_zh = models.CharField(max_length=300, blank=True, validators=[validate_plain_text])
    accessibility_en = models.CharField(max_length=400, blank=True, validators=[validate_plain_text])
    level = models.CharField(max_length=10, choices=CentreLevel.choices, default=CentreLevel.DISTRICT)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_en


class Firm(models.Model):
    """A firm or organisation, identified by its unified social credit code (USCC)."""

    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, validators=[validate_plain_text])
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True, validators=[validate_plain_text])
    firm_type = models.CharField(max_length=32, choices=FirmType.choices)
    legal_representative = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="represented_firms")
    registered_district = models.CharField(max_length=6, blank=True)
    verification_level = models.PositiveSmallIntegerField(
        choices=VerificationLevel.choices, default=VerificationLevel.SELF_REGISTERED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name_zh


class Power(models.Model):
    """A delegated power: the firm lets ``grantee`` act for it in ``area`` until ``expires_at``."""

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="powers", db_index=False)
    grantee = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="powers", db_index=False)
    area = models.CharField(max_length=32, choices=ServiceArea.choices)
    granted_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    revoke_reason = models.CharField(max_length=200, blank=True, validators=[validate_plain_text])

    class Meta:
        indexes = [
            models.Index(fields=["grantee", "firm", "area"], name="identity_power_lookup"),
            models.Index(fields=["firm", "expires_at"], name="identity_power_firm"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("granted_at")), name="identity_power_expiry_after_grant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grantee} — {self.area} for {self.firm}"

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and self.granted_at <= now < self.expires_at


class StaffRole(models.Model):
    """A role held by a staff account: in an agency, at a service centre, or city-wide."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="staff_roles", db_index=False)
    role = models.CharField(max_length=24, choices=StaffRoleKind.choices)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="staff_roles")
    service_centre = models.ForeignKey(
        ServiceCentre, null=True, blank=True, on_delete=models.PROTECT, related_name="staff_roles"
    )
    office = models.ForeignKey(
        AgencyOffice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_roles",
        help_text="The office an officer works in; supervisors and agency administrators work across the agency.",
    )
    granted_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "revoked_at"], name="identity_staffrole_account")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=[r.value for r in AGENCY_ROLES], agency__isnull=False, service_centre__isnull=True)
                    | Q(
                        role__in=[StaffRoleKind.CLERK.value, StaffRoleKind.CENTRE_HEAD.value],
                        agency__isnull=True,
                        service_centre__isnull=False,
                    )
                    | Q(role=StaffRoleKind.CITY_OPERATOR.value, agency__isnull=True, service_centre__isnull=True)
                ),
                name="identity_staffrole_scope",
            ),
            models.CheckConstraint(
                condition=Q(role=StaffRoleKind.OFFICER.value, office__isnull=False)
                | ~Q(role=StaffRoleKind.OFFICER.value),
                name="identity_staffrole_officer_office",
            ),
        ]

    def __str__(self) -> str:
        scope = self.agency or self.service_centre or "city"
        return f"{self.account} — {self.role} ({scope})"
