"""Writes to the catalogue: create a service, draft a new version, edit drafts.

Only city operators and the administrators of the owning agency edit the catalogue. Published
versions are immutable; editing one means drafting the next version. Their search text is derived
data, rebuilt on publication and when the owning agency is renamed (``catalogue.receivers``).

Publishing is not here: a version is published only with its form definition, which the catalogue
cannot see, so the one public way is ``forms.services.service_version_publish_with_form``; it
calls ``catalogue.publication``, which nothing else may import (import-linter contract, ADR 0001).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import reduce
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import audit_record
from tongban.catalogue import search_text
from tongban.catalogue.models import (
    Material,
    PointsOption,
    PointsTable,
    ServiceItem,
    ServiceVersion,
    Topic,
    VersionStatus,
    Workflow,
)
from tongban.catalogue.permissions import CITY_ONLY, require_catalogue_editor
from tongban.catalogue.selectors import bump_catalogue_revision, synonym_specs
from tongban.catalogue.signals import version_drafted
from tongban.core.actors import Actor
from tongban.core.errors import ConflictError, NotFoundError
from tongban.core.models import SOURCE_OPERATOR, CalendarDay, CalendarYear
from tongban.identity.models import Agency, ServiceArea
from tongban.identity.permissions import Editor, require_city_operator

#: ServiceVersion fields an editor may set on a draft.
EDITABLE_FIELDS = (
    "name_zh",
    "name_en",
    "summary_zh",
    "summary_en",
    "eligibility_zh",
    "eligibility_en",
    "for_individuals",
    "for_firms",
    "for_foreigners",
    "legal_basis_zh",
    "legal_basis_en",
    "conditions_zh",
    "conditions_en",
    "statutory_limit_workdays",
    "promised_limit_workdays",
    "fee_zh",
    "fee_en",
    "fee_amount_fen",
    "channel",
    "fully_online",
    "handling_level",
    "workflow",
    "four_eyes",
    "contact_zh",
    "contact_en",
    "certificate_type",
    "paper_result",
)
REQUIRED_BILINGUAL = ("name", "summary")


#: Published versions rebuilt per pair of queries (read, write) when their agency is renamed.
SEARCH_REBUILD_BATCH = 500


def build_search_text(version: ServiceVersion, topics: list[Topic]) -> str:
    """The version's search text with the current search synonyms (``catalogue.search_text``)."""
    return search_text.build_search_text(version, topics, synonym_specs())


def check_content(version: ServiceVersion) -> None:
    """The rules a version's content meets when it is saved and again when it is published."""
    errors: dict[str, Any] = {}
    for field in REQUIRED_BILINGUAL:
        for language in ("zh", "en"):
            if not getattr(version, f"{field}_{language}").strip():
                errors[f"{field}_{language}"] = _("Both languages are required.")
    if version.promised_limit_workdays > version.statutory_limit_workdays:
        errors["promised_limit_workdays"] = _("The promised limit cannot exceed the statutory limit.")
    if version.applicants is None:  # foreigners are an audience, not an applicant (ADR 0032)
        errors["for_individuals"] = _("Say who may apply: individuals (for themselves), firms, or both.")
    if errors:
        raise ValidationError(errors)


#: Said when an instant service without the document it delivers is published (ADR 0033).
NO_RESULT = _(
    "An instant filing is closed at once, so its only result is the document it delivers: choose the "
    "certificate type (the receipt, record or certificate) it issues."
)


def check_delivers_result(version: ServiceVersion) -> None:
    """A service must deliver what it promises (ADR 0033): an instant filing has no decision to
    show, its result is its document, so it is published only with the certificate type it issues
    (generated, signed, in the holder's wallet and on the case). A review service's result is its
    decision, with the certificate its type names on approval."""
    if version.workflow == Workflow.INSTANT and version.certificate_type_id is None:
        raise ValidationError({"certificate_type": NO_RESULT})


@transaction.atomic
def service_item_create(
    *,
    code: str,
    agency: Agency,
    area: str,
    content: dict[str, Any],
    materials: list[dict[str, Any]],
    topic_codes: list[str],
    editor: Editor,
    actor: Actor,
) -> ServiceVersion:
    """Create a service item with its first version, a draft (publishing is a separate step),
    and its materials. Every problem with the code, the area and the content is reported at once,
    keyed by field; nothing is written unless all is well."""
    require_catalogue_editor(account=editor, agency=agency)
    errors: dict[str, Any] = {}
    if area not in ServiceArea.values:
        errors["area"] = _("Choose the service area.")
    item = ServiceItem(code=code.strip(), agency=agency, area=area)
    try:
        item.clean_fields(exclude=["agency", "area", "published_version"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if "code" not in errors and ServiceItem.objects.filter(code=item.code).exists():
        errors["code"] = _("A service with this code already exists.")
    version = ServiceVersion(item=item, number=1, status=VersionStatus.DRAFT)
    _assign(version, content)
    try:
        check_content(version)
    except ValidationError as exc:
        errors.update({name: messages for name, messages in exc.message_dict.items() if name not in errors})
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:  # another editor took the code a moment ago
        raise ValidationError({"code": _("A service with this code already exists.")}) from None
    version.item = item
    version.full_clean(exclude=["search_text"])
    version.save()
    version.topics.set(Topic.objects.filter(code__in=topic_codes))
    for position, material in enumerate(materials):
        Material.objects.create(version=version, position=position, **material)
    audit_record(
        action="catalogue.service_created",
        actor=actor,
        object_type="service",
        object_id=item.code,
        data={"agency": agency.code, "version": version.number, "status": version.status},
    )
    return version


def _assign(version: ServiceVersion, content: dict[str, Any]) -> None:
    unknown = set(content) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({"__all__": f"Unknown fields: {', '.join(sorted(unknown))}"})
    for field, value in content.items():
        setattr(version, field, value.strip() if isinstance(value, str) else value)


@transaction.atomic
def service_version_draft(*, item: ServiceItem, editor: Editor, actor: Actor) -> ServiceVersion:
    """Start editing a published service: copy its published version into a new draft."""
    item = ServiceItem.objects.select_for_update(of=("self",)).select_related("agency").get(pk=item.pk)
    require_catalogue_editor(account=editor, agency=item.agency)
    existing = ServiceVersion.objects.filter(item=item, status=VersionStatus.DRAFT).first()
    if existing is not None:
        return existing
    source = ServiceVersion.objects.filter(item=item).order_by("-number").first()
    if source is None:
        raise ConflictError(_("This service has no version to copy."))
    topics = list(source.topics.all())
    materials = list(source.materials.all())
    draft = ServiceVersion.objects.get(pk=source.pk)
    draft.pk = None
    draft.number = source.number + 1
    draft.status = VersionStatus.DRAFT
    draft.published_at = None
    draft.save()
    draft.topics.set(topics)
    for material in materials:
        material.pk = None
        material.version = draft
    Material.objects.bulk_create(materials)
    version_drafted.send(sender=ServiceVersion, source=source, draft=draft)
    audit_record(
        action="catalogue.version_drafted",
        actor=actor,
        object_type="service",
        object_id=item.code,
        data={"from": source.number, "to": draft.number},
    )
    return draft


@transaction.atomic
def service_version_update(
    *,
    version: ServiceVersion,
    content: dict[str, Any],
    editor: Editor,
    actor: Actor,
    topics: Iterable[Topic] | None = None,
) -> ServiceVersion:
    """Edit a draft version's guide and rules (and, when given, its topics)."""
    version = ServiceVersion.objects.select_for_update(of=("self",)).select_related("item__agency").get(pk=version.pk)
    require_catalogue_editor(account=editor, agency=version.item.agency)
    if version.status != VersionStatus.DRAFT:
        raise ConflictError(_("Published versions cannot be changed; draft a new version."))
    _assign(version, content)
    check_content(version)
    version.full_clean(exclude=["search_text"])
    version.save()
    data: dict[str, Any] = {"version": version.number, "fields": sorted(content)}
    if topics is not None:
        version.topics.set(list(topics))
        data["topics"] = sorted(topic.code for topic in version.topics.all())
    audit_record(
        action="catalogue.version_updated", actor=actor, object_type="service", object_id=version.item.code, data=data
    )
    return version


@transaction.atomic
def service_search_text_rebuild(*, agency: Agency) -> int:
    """Rebuild the search text of ``agency``'s published versions from its current names (sent by
    identity when it is renamed), and bump the search caches once the transaction commits.

    The text is derived data, so this records no audit event of its own; the rename that calls for
    it does (``identity.agency_updated``, same transaction). Returns the number of versions changed."""
    return search_texts_rebuild(agency=agency)


def search_texts_rebuild(*, agency: Agency | None = None, containing: Iterable[str] = ()) -> int:
    """Rebuild the search text of the published versions (of ``agency``, or all; of those whose
    text contains one of ``containing``, when given) with the current synonyms, inside the
    caller's transaction; the search caches are bumped after its commit.

    An agency may own thousands of services: rows are read and written in batches (one read, one
    ``UPDATE ... CASE`` per batch), never saved one by one. Returns the number of versions changed."""
    synonyms = synonym_specs()
    versions = (
        ServiceVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("item", "item__agency")
        .only(
            "search_text",
            "name_zh",
            "name_en",
            "summary_zh",
            "summary_en",
            "eligibility_zh",
            "eligibility_en",
            "item__code",
            "item__agency__name_zh",
            "item__agency__name_en",
        )
        .prefetch_related("topics")
        .order_by("pk")
    )
    if agency is not None:
        versions = versions.filter(item__agency_id=agency.pk)
    words = [word for word in containing if word]
    if words:
        versions = versions.filter(reduce(operator.or_, (Q(search_text__contains=word) for word in words)))
    changed: list[ServiceVersion] = []
    count = 0
    for version in versions.iterator(chunk_size=SEARCH_REBUILD_BATCH):
        if agency is not None:
            version.item.agency = agency
        text = search_text.build_search_text(version, list(version.topics.all()), synonyms)
        if text != version.search_text:
            version.search_text = text
            changed.append(version)
        if len(changed) >= SEARCH_REBUILD_BATCH:
            count += ServiceVersion.objects.bulk_update(changed, ["search_text"])
            changed = []
    if changed:
        count += ServiceVersion.objects.bulk_update(changed, ["search_text"])
    transaction.on_commit(bump_catalogue_revision)
    return count


MATERIAL_FIELDS = (
    "name_zh",
    "name_en",
    "description_zh",
    "description_en",
    "required",
    "government_may_hold",
    "position",
    "certificate_type",
)


@transaction.atomic
def material_save(
    *, version: ServiceVersion, code: str, content: dict[str, Any], editor: Editor, actor: Actor
) -> Material:
    """Add or change a material of a draft version."""
    version = ServiceVersion.objects.select_for_update(of=("self",)).select_related("item__agency").get(pk=version.pk)
    require_catalogue_editor(account=editor, agency=version.item.agency)
    if version.status != VersionStatus.DRAFT:
        raise ConflictError(_("Published versions cannot be changed; draft a new version."))
    unknown = set(content) - set(MATERIAL_FIELDS)
    if unknown:
        raise ValidationError({"__all__": f"Unknown fields: {', '.join(sorted(unknown))}"})
    material = Material.objects.filter(version=version, code=code).first() or Material(version=version, code=code)
    for field, value in content.items():
        setattr(material, field, value.strip() if isinstance(value, str) else value)
    if not material.name_zh or not material.name_en:
        raise ValidationError({"name_zh": _("Both languages are required.")})
    material.full_clean(exclude=["version"])
    material.save()
    audit_record(
        action="catalogue.material_saved",
        actor=actor,
        object_type="service",
        object_id=version.item.code,
        data={"version": version.number, "material": code},
    )
    return material


@transaction.atomic
def material_remove(*, version: ServiceVersion, code: str, editor: Editor, actor: Actor) -> None:
    version = ServiceVersion.objects.select_for_update(of=("self",)).select_related("item__agency").get(pk=version.pk)
    require_catalogue_editor(account=editor, agency=version.item.agency)
    if version.status != VersionStatus.DRAFT:
        raise ConflictError(_("Published versions cannot be changed; draft a new version."))
    Material.objects.filter(version=version, code=code).delete()
    audit_record(
        action="catalogue.material_removed",
        actor=actor,
        object_type="service",
        object_id=version.item.code,
        data={"version": version.number, "material": code},
    )


@transaction.atomic
def points_table_update(*, table: PointsTable, typed: Mapping[int, str], editor: Editor, actor: Actor) -> int:
    """Change the points answers of ``table`` are worth (city operators), all or none. ``typed``
    maps an option's id to the value as typed; a value equal to the current one is no change.
    Every value is checked first (a whole number from 0 to 100); if any is wrong, nothing is
    written and the ValidationError maps each wrong option's id to its message. Each change is
    audited. Returns how many values changed."""
    require_city_operator(account=editor, message=CITY_ONLY)
    options = (
        PointsOption.objects.select_for_update(of=("self",))
        .select_related("factor")
        .filter(factor__table=table, pk__in=list(typed))
    )
    changes: list[tuple[PointsOption, int]] = []
    problems: dict[str, str] = {}
    for option in options:
        raw = typed[option.pk].strip()
        if raw == str(option.points):
            continue
        if not re.fullmatch(r"-?\d{1,9}", raw):
            problems[str(option.pk)] = str(_("Points are whole numbers."))
        elif not 0 <= int(raw) <= 100:
            problems[str(option.pk)] = str(_("Points are between 0 and 100."))
        else:
            changes.append((option, int(raw)))
    if problems:
        raise ValidationError(problems)
    for option, points in changes:
        before, option.points = option.points, points
        option.save(update_fields=["points"])
        audit_record(
            action="catalogue.points_changed",
            actor=actor,
            object_type="points_table",
            object_id=table.code,
            data={"factor": option.factor.code, "option": option.code, "from": before, "to": points},
        )
    return len(changes)


#: The years the calendar of working days can hold: deadlines run in these (a year outside is a
#: typing mistake, and Python's dates end at 9999).
CALENDAR_YEARS = range(2000, 2101)


@transaction.atomic
def calendar_day_set(*, day: date, kind: str, name_zh: str, name_en: str, editor: Editor, actor: Actor) -> CalendarDay:
    """Record a public holiday or a make-up working day (city operators); it overrides the seed."""
    require_city_operator(account=editor, message=CITY_ONLY)
    if day.year not in CALENDAR_YEARS:
        raise ValidationError({"day": _("Choose a date from 2000 to 2100.")})
    entry = CalendarDay.objects.filter(day=day).first() or CalendarDay(day=day)
    entry.kind, entry.name_zh, entry.name_en, entry.source = kind, name_zh.strip(), name_en.strip(), SOURCE_OPERATOR
    entry.full_clean()
    entry.save()
    audit_record(
        action="catalogue.calendar_day_set",
        actor=actor,
        object_type="calendar",
        object_id=day.isoformat(),
        data={"kind": kind},
    )
    return entry


@transaction.atomic
def calendar_day_remove(*, day: date, editor: Editor, actor: Actor) -> None:
    """Remove an operator's or the seed's entry for ``day`` (it counts by the weekday rule again)."""
    require_city_operator(account=editor, message=CITY_ONLY)
    entry = CalendarDay.objects.select_for_update().filter(day=day).first()
    if entry is None:
        raise NotFoundError(_("The calendar has no entry for this date."))
    entry.delete()
    audit_record(
        action="catalogue.calendar_day_removed",
        actor=actor,
        object_type="calendar",
        object_id=day.isoformat(),
        data={"kind": entry.kind, "name_zh": entry.name_zh, "name_en": entry.name_en, "source": entry.source},
    )


@transaction.atomic
def calendar_year_complete(*, year: int, editor: Editor, actor: Actor) -> None:
    """Declare a year's holidays and make-up days entered: deadlines stop using the fallback."""
    require_city_operator(account=editor, message=CITY_ONLY)
    if year not in CALENDAR_YEARS:
        raise NotFoundError(_("The calendar holds the years 2000 to 2100."))
    CalendarYear.objects.update_or_create(year=year, defaults={"complete": True, "source": SOURCE_OPERATOR})
    audit_record(action="catalogue.calendar_year_completed", actor=actor, object_type="calendar", object_id=str(year))
