"""Catalogue data: topics, service items (事项) with immutable published versions, materials,
and the points tables some services score applications with.

A service item is the stable identity (its code is in the URL); what the public reads and what a
case is made under is a :class:`ServiceVersion`. Editing a published service makes a new draft
version; publishing it retires the previous one. Cases keep a foreign key to the version they
were made under, so the guide an applicant read stays attached to their case.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tongban.core import bilingual
from tongban.core.validators import validate_plain_text
from tongban.identity.models import Agency, OfficeLevel, ServiceArea


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    WINDOW = "window", _("At a service-centre window")
    BOTH = "both", _("Online or at a window")


class Workflow(models.TextChoices):
    """Which steps a service's cases go through."""

    INSTANT = "instant", _("Instant filing: accepted and closed with a receipt at once")
    REVIEW = "review", _("Review and decision")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class Applicants(models.TextChoices):
    """Who may apply for a service (ADR 0032): a person for himself, a firm (by its legal
    representative or a holder of its power), or either. Stored as the version's two flags
    ``for_individuals`` and ``for_firms``; :attr:`ServiceVersion.applicants` reads them."""

    PERSON = "person", _("A person, for himself or herself")
    FIRM = "firm", _("A firm, through its legal representative or a member of staff it has given the power")
    EITHER = "either", _("Either the person concerned, for himself or herself, or a firm")


class CertificateHolder(models.TextChoices):
    PERSON_CONCERNED = "person_concerned", _("The person the case concerns (else the applicant)")
    APPLICANT = "applicant", _("The applicant")
    FIRM = "firm", _("The firm that applied")


class CertificateType(models.Model):
    """A kind of electronic certificate (电子证照) a service's approval issues.

    ``fields`` lists the certificate's structured fields: ``{"name": "category", "label": {"zh":
    "类别", "en": "Category"}, "source": "points.category", "public": true}``. Sources: ``data.<form
    field>``, ``points.category``, ``points.total``, ``case.number``, ``case.uscc`` (the code a
    registration gives the new firm), ``holder.name``,
    ``holder.nationality``, ``holder.id_number`` (masked unless the field says ``"mask": false``).
    Public fields are shown to anyone who verifies the certificate; the rest only to its holder.
    A field holding a code may declare its bilingual labels, ``"values": {"rent": {"zh": "租赁自住住房",
    "en": "Paying rent for your home"}}``: the certificate stores the code, pages and the PDF show the
    label.
    """

    code = models.SlugField(max_length=40, unique=True)
    name_zh = models.CharField(max_length=120, validators=[validate_plain_text])
    name_en = models.CharField(max_length=200, validators=[validate_plain_text])
    holder = models.CharField(max_length=24, choices=CertificateHolder.choices)
    validity_months = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty: no expiry.")
    number_prefix = models.CharField(max_length=6, help_text="Letters that start every number, e.g. WP.")
    fields = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def name(self, language: str) -> str:
        return bilingual.localized(self, "name", language)


class Topic(models.Model):
    """A theme services are grouped under; ``international`` is the English section's topic."""

    code = models.SlugField(max_length=40, unique=True)
    name_zh = models.CharField(max_length=60, validators=[validate_plain_text])
    name_en = models.CharField(max_length=80, validators=[validate_plain_text])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name_en


class ServiceItem(models.Model):
    """The stable identity of a service; its content lives in versions."""

    code = models.SlugField(max_length=60, unique=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="service_items")
    area = models.CharField(
        max_length=32,
        choices=ServiceArea.choices,
        help_text="The area of delegated power a firm's staff need to apply for this service.",
    )
    published_version = models.OneToOneField(
        "ServiceVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    window_minutes = models.PositiveSmallIntegerField(
        _("minutes at a window"),
        default=15,
        help_text="How long one visit for this service takes at a window: the length of its appointment slots.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.code


class ServiceVersion(models.Model):
    """One version of a service's guide and rules. Published versions are never edited."""

    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="versions", db_index=False)
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    name_zh = models.CharField(_("name (Chinese)"), max_length=120, validators=[validate_plain_text])
    name_en = models.CharField(_("name (English)"), max_length=200, validators=[validate_plain_text])
    summary_zh = models.TextField(_("what it is for (Chinese)"))
    summary_en = models.TextField(_("what it is for (English)"))
    eligibility_zh = models.TextField(_("who may apply (Chinese)"), blank=True)
    eligibility_en = models.TextField(_("who may apply (English)"), blank=True)
    for_individuals = models.BooleanField(default=False)
    for_firms = models.BooleanField(default=False)
    for_foreigners = models.BooleanField(default=False)
    legal_basis_zh = models.TextField(_("legal basis (Chinese)"), blank=True)
    legal_basis_en = models.TextField(_("legal basis (English)"), blank=True)
    conditions_zh = models.TextField(_("conditions (Chinese)"), blank=True)
    conditions_en = models.TextField(_("conditions (English)"), blank=True)
    statutory_limit_workdays = models.PositiveSmallIntegerField(_("statutory time limit (working days)"))
    promised_limit_workdays = models.PositiveSmallIntegerField(_("promised time limit (working days)"))
    fee_zh = models.CharField(_("fee (Chinese)"), max_length=200, default="不收费")
    fee_en = models.CharField(_("fee (English)"), max_length=200, default="Free of charge")
    fee_amount_fen = models.PositiveIntegerField(default=0, help_text="The fee in fen (0.01 yuan); 0 if free.")
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.BOTH)
    fully_online = models.BooleanField(_("can be done fully online (全程网办)"), default=False)
    handling_level = models.CharField(max_length=16, choices=OfficeLevel.choices, default=OfficeLevel.CITY)
    workflow = models.CharField(max_length=16, choices=Workflow.choices, default=Workflow.REVIEW)
    four_eyes = models.BooleanField(_("four eyes: an officer proposes, a supervisor decides"), default=False)
    contact_zh = models.CharField(max_length=200, blank=True)
    contact_en = models.CharField(max_length=200, blank=True)
    certificate_type = models.ForeignKey(
        CertificateType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The e-certificate an approval (or an instant filing) of this service issues.",
    )
    paper_result = models.BooleanField(
        _("the result is handed over on paper (pickup at a centre or post)"),
        default=False,
        help_text=_(
            "A passport with its permit, an original licence: the applicant chooses pickup at a centre or "
            "delivery by post. Leave unticked when the result is only an e-certificate."
        ),
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="versions")
    #: Case-folded names, summaries and code in both languages; searched by substring, which works
    #: for Chinese without word breaks ("工作许可" finds 外国人来华工作许可).
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["item_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="catalogue_version_number"),
            models.UniqueConstraint(fields=["item"], condition=Q(status="draft"), name="catalogue_one_draft_per_item"),
            models.CheckConstraint(
                condition=Q(promised_limit_workdays__lte=F("statutory_limit_workdays")),
                name="catalogue_promised_within_statutory",
            ),
        ]
        indexes = [models.Index(fields=["status", "item"], name="catalogue_version_status")]

    def __str__(self) -> str:
        return f"{self.item.code} v{self.number}"

    def name(self, language: str) -> str:
        return bilingual.localized(self, "name", language)

    @property
    def applicants(self) -> Applicants | None:
        """Who may apply (ADR 0032); None while a draft says neither (publishing refuses it)."""
        return applicants_of(for_individuals=self.for_individuals, for_firms=self.for_firms)


def applicants_of(*, for_individuals: bool, for_firms: bool) -> Applicants | None:
    """The :class:`Applicants` value the two flags stand for."""
    if for_individuals and for_firms:
        return Applicants.EITHER
    if for_individuals:
        return Applicants.PERSON
    if for_firms:
        return Applicants.FIRM
    return None


class Material(models.Model):
    """A document a service asks for; ``government_may_hold`` marks data another agency has."""

    version = models.ForeignKey(ServiceVersion, on_delete=models.CASCADE, related_name="materials", db_index=False)
    code = models.SlugField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    name_zh = models.CharField(max_length=120, validators=[validate_plain_text])
    name_en = models.CharField(max_length=200, validators=[validate_plain_text])
    description_zh = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    required = models.BooleanField(default=True)
    government_may_hold = models.BooleanField(_("the government may already hold it"), default=False)
    certificate_type = models.ForeignKey(
        CertificateType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A valid e-certificate of this type, held by the applicant or the person concerned, replaces the upload.",
    )

    class Meta:
        ordering = ["version_id", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="catalogue_material_code")]

    def __str__(self) -> str:
        return self.name_en


class PointsTable(models.Model):
    """A points table that scores applications (e.g. the foreigner's work permit A/B/C category).
    Factors and their options are operator-editable data; the scoring is ``catalogue.points``."""

    code = models.SlugField(max_length=40, unique=True)
    name_zh = models.CharField(max_length=120)
    name_en = models.CharField(max_length=200)
    category_a_min = models.PositiveSmallIntegerField(default=85)
    category_b_min = models.PositiveSmallIntegerField(default=60)
    source_zh = models.CharField(max_length=200, blank=True)
    source_en = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(category_b_min__lt=F("category_a_min")), name="catalogue_points_thresholds_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.code


class PointsFactor(models.Model):
    table = models.ForeignKey(PointsTable, on_delete=models.CASCADE, related_name="factors", db_index=False)
    code = models.SlugField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    name_zh = models.CharField(max_length=120)
    name_en = models.CharField(max_length=200)

    class Meta:
        ordering = ["table_id", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["table", "code"], name="catalogue_points_factor_code")]

    def __str__(self) -> str:
        return f"{self.table.code}.{self.code}"


class PointsOption(models.Model):
    factor = models.ForeignKey(PointsFactor, on_delete=models.CASCADE, related_name="options", db_index=False)
    code = models.SlugField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    label_zh = models.CharField(max_length=120)
    label_en = models.CharField(max_length=200)
    points = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["factor_id", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["factor", "code"], name="catalogue_points_option_code")]

    def __str__(self) -> str:
        return f"{self.factor.code}={self.code} ({self.points})"


class SynonymLanguage(models.TextChoices):
    ZH = "zh", _("Chinese")
    EN = "en", _("English")
    BOTH = "both", _("Both languages")


class SearchSynonym(models.Model):
    """An everyday word or abbreviation people search for (社保, business licence) and the words the
    catalogue uses for it (社会保险, company establishment registration). City operators edit them;
    a published service whose text in ``language`` contains an expansion is found by the term too
    (the term is added to its search text: ADR 0031)."""

    term = models.CharField(
        _("everyday word or abbreviation"), max_length=60, validators=[validate_plain_text], help_text="Case-folded."
    )
    language = models.CharField(max_length=4, choices=SynonymLanguage.choices, default=SynonymLanguage.BOTH)
    expansions = models.JSONField(default=list, help_text="The catalogue's words for the term, case-folded.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["term", "language"]
        constraints = [models.UniqueConstraint(fields=["term", "language"], name="catalogue_synonym_term_language")]

    def __str__(self) -> str:
        return f"{self.term} → {' / '.join(self.expansions)}"
