"""Reads of the catalogue: public search with filters, one service's guide, points tables."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from django.core.cache import cache
from django.db.models import Prefetch, Q, QuerySet

from tongban.catalogue.models import (
    Material,
    PointsFactor,
    PointsOption,
    PointsTable,
    SearchSynonym,
    ServiceItem,
    ServiceVersion,
    Topic,
    VersionStatus,
)
from tongban.catalogue.points import FactorSpec, OptionSpec, TableSpec
from tongban.catalogue.search_text import SynonymSpec
from tongban.core.db import select_objects
from tongban.identity.models import Agency, AgencyOffice, OfficeLevel, StaffRole, StaffRoleKind
from tongban.identity.selectors import has_role

AUDIENCES = ("individuals", "firms", "foreigners")


def search_terms(query: str) -> list[str]:
    """Case-folded terms of a query; every term must occur (substring match, so Chinese works)."""
    return [term for term in query.casefold().split() if term][:8]


def published_services(
    *, query: str = "", audience: str = "", agency_code: str = "", topic_code: str = ""
) -> QuerySet[ServiceVersion]:
    """Published service versions matching the query and filters, with item and agency joined."""
    versions = ServiceVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related("item", "item__agency")
    for term in search_terms(query):
        versions = versions.filter(search_text__contains=term)
    if audience in AUDIENCES:
        versions = versions.filter(**{f"for_{audience}": True})
    if agency_code:
        versions = versions.filter(item__agency__code=agency_code)
    if topic_code:
        versions = versions.filter(topics__code=topic_code)
    return versions.order_by("item__code")


@dataclass(frozen=True)
class ServiceLink:
    """A published service as a section page links it: its code (for the guide's URL) and names."""

    code: str
    name_zh: str
    name_en: str


def section_services(*, audience: str, codes: Iterable[str], limit: int) -> tuple[dict[str, ServiceLink], bool]:
    """The published services a section page links (one query): those it names by ``codes`` and
    up to ``limit`` others for ``audience``, by code; and whether the audience has more."""
    codes = list(codes)
    wanted = Q(item__code__in=codes)
    if audience in AUDIENCES:
        wanted |= Q(**{f"for_{audience}": True})
    rows = (
        ServiceVersion.objects.filter(wanted, status=VersionStatus.PUBLISHED)
        .order_by("item__code")
        .values_list("item__code", "name_zh", "name_en")[: len(codes) + limit + 1]
    )
    links = {code: ServiceLink(code, name_zh, name_en) for code, name_zh, name_en in rows}
    return links, len(links) > len(codes) + limit


def synonym_specs() -> list[SynonymSpec]:
    """Every search synonym as plain values (one query), for building search texts."""
    return [
        SynonymSpec(term, tuple(expansions), language)
        for term, expansions, language in SearchSynonym.objects.order_by("term", "language").values_list(
            "term", "expansions", "language"
        )
    ]


def published_version(*, code: str) -> ServiceVersion | None:
    """The published version of the service with this code, materials and topics prefetched."""
    return (
        ServiceVersion.objects.filter(status=VersionStatus.PUBLISHED, item__code=code)
        .select_related("item", "item__agency")
        .prefetch_related(Prefetch("materials", queryset=Material.objects.order_by("position", "code")), "topics")
        .first()
    )


def version_with_materials(*, version_id: int) -> ServiceVersion:
    return (
        ServiceVersion.objects.select_related("item", "item__agency")
        .prefetch_related(Prefetch("materials", queryset=Material.objects.order_by("position", "code")))
        .get(pk=version_id)
    )


def competent_office(*, version: ServiceVersion, district: str, chosen: AgencyOffice | None) -> AgencyOffice | None:
    """The office that handles a case: the agency's city office for city-level services; for
    district-level services the applicant's chosen office, else the office of their registered
    district. None if the applicant must choose."""
    agency_id = version.item.agency_id
    if version.handling_level == OfficeLevel.CITY:
        found = select_objects(AgencyOffice, _OFFICE_AT_LEVEL, [agency_id, OfficeLevel.CITY.value])
        return found[0] if found else None
    if chosen is not None and chosen.agency_id == agency_id and chosen.level == OfficeLevel.DISTRICT:
        return chosen
    if not district:
        return None
    found = select_objects(AgencyOffice, _OFFICE_OF_DISTRICT, [agency_id, OfficeLevel.DISTRICT.value, district])
    return found[0] if found else None


#: Static statements (``core.db``; every submission asks), in the model's own order.
_OFFICE_AT_LEVEL = "WHERE t.agency_id = %s AND t.level = %s ORDER BY t.district_code, t.id LIMIT 1"
_OFFICE_OF_DISTRICT = "WHERE t.agency_id = %s AND t.level = %s AND t.district_code = %s ORDER BY t.id LIMIT 1"


def district_offices(*, version: ServiceVersion) -> QuerySet[AgencyOffice]:
    return AgencyOffice.objects.filter(agency_id=version.item.agency_id, level=OfficeLevel.DISTRICT).order_by(
        "district_code"
    )


def topics() -> QuerySet[Topic]:
    return Topic.objects.order_by("position", "code")


def service_items_for_agency(*, agency_ids: list[int] | None) -> QuerySet[ServiceItem]:
    """Service items (all, or those of the given agencies) with the published version joined and
    the open draft, if any, in ``item.open_drafts`` (a list of at most one version)."""
    items = (
        ServiceItem.objects.select_related("agency", "published_version")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=ServiceVersion.objects.filter(status=VersionStatus.DRAFT).only(
                    "item_id", "number", "name_zh", "name_en"
                ),
                to_attr="open_drafts",
            )
        )
        .order_by("code")
    )
    return items if agency_ids is None else items.filter(agency_id__in=agency_ids)


def service_code_taken(*, code: str) -> bool:
    return ServiceItem.objects.filter(code=code).exists()


def catalogue_editable_agencies(*, roles: Iterable[StaffRole]) -> QuerySet[Agency]:
    """The agencies whose services these staff roles may create and edit: every agency for a city
    operator, else the agencies the roles administer (none for officers and supervisors)."""
    roles = list(roles)
    agencies = Agency.objects.order_by("code")
    if has_role(roles, StaffRoleKind.CITY_OPERATOR):
        return agencies
    return agencies.filter(pk__in=[role.agency_id for role in roles if role.role == StaffRoleKind.AGENCY_ADMIN])


def points_table_spec(*, code: str) -> TableSpec | None:
    """A points table as plain values for ``catalogue.points.score`` (three queries)."""
    table = (
        PointsTable.objects.filter(code=code)
        .prefetch_related(
            Prefetch(
                "factors",
                queryset=PointsFactor.objects.order_by("position").prefetch_related(
                    Prefetch("options", queryset=PointsOption.objects.order_by("position"))
                ),
            )
        )
        .first()
    )
    if table is None:
        return None
    return TableSpec(
        code=table.code,
        category_a_min=table.category_a_min,
        category_b_min=table.category_b_min,
        factors=[
            FactorSpec(
                code=factor.code,
                name_zh=factor.name_zh,
                name_en=factor.name_en,
                options=[OptionSpec(o.code, o.label_zh, o.label_en, o.points) for o in factor.options.all()],
            )
            for factor in table.factors.all()
        ],
    )


# --- Cached public search ---------------------------------------------------------------------

SEARCH_CACHE_SECONDS = 60
_REVISION_KEY = "catalogue:revision"


@dataclass(frozen=True)
class ServiceSummary:
    """What a search result shows; plain values, so it can live in the shared cache."""

    code: str
    name_zh: str
    name_en: str
    summary_zh: str
    summary_en: str
    agency_zh: str
    agency_en: str
    fully_online: bool
    instant: bool
    promised_limit_workdays: int


def catalogue_revision() -> int:
    """A counter bumped whenever a version is published or an agency renamed (after the commit);
    part of every search cache key."""
    return int(cache.get(_REVISION_KEY, 0))


def bump_catalogue_revision() -> None:
    try:
        cache.incr(_REVISION_KEY)
    except ValueError:
        cache.set(_REVISION_KEY, 1, None)


def search_key(*, query: str, audience: str, agency_code: str, topic_code: str, page: int, page_size: int) -> str:
    """A digest of one search (and of the catalogue revision it ran against), for cache keys."""
    raw = "|".join(
        [str(catalogue_revision()), query.casefold(), audience, agency_code, topic_code, str(page), str(page_size)]
    )
    return hashlib.sha256(raw.encode()).hexdigest()


def search_page(
    *, query: str, audience: str, agency_code: str, topic_code: str, page: int, page_size: int
) -> tuple[list[ServiceSummary], bool]:
    """One page of search results (and whether there is a next page), cached for a minute and
    until the next publication or agency rename (immediately everywhere when the cache is shared,
    i.e. Redis)."""
    key = "catalogue:search:" + search_key(
        query=query, audience=audience, agency_code=agency_code, topic_code=topic_code, page=page, page_size=page_size
    )
    cached = cache.get(key)
    if cached is not None:
        return cast(tuple[list[ServiceSummary], bool], cached)
    versions = published_services(query=query, audience=audience, agency_code=agency_code, topic_code=topic_code)
    rows = list(
        versions.only(
            "item__code",
            "item__agency__name_zh",
            "item__agency__name_en",
            "name_zh",
            "name_en",
            "summary_zh",
            "summary_en",
            "fully_online",
            "workflow",
            "promised_limit_workdays",
        )[(page - 1) * page_size : page * page_size + 1]
    )
    summaries = [
        ServiceSummary(
            code=row.item.code,
            name_zh=row.name_zh,
            name_en=row.name_en,
            summary_zh=row.summary_zh[:200],
            summary_en=row.summary_en[:400],
            agency_zh=row.item.agency.name_zh,
            agency_en=row.item.agency.name_en,
            fully_online=row.fully_online,
            instant=row.workflow == "instant",
            promised_limit_workdays=row.promised_limit_workdays,
        )
        for row in rows[:page_size]
    ]
    result = (summaries, len(rows) > page_size)
    cache.set(key, result, SEARCH_CACHE_SECONDS)
    return result


def filter_choices() -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(agencies, topics) as (code, name_zh, name_en) for the search filters, cached like search."""
    key = f"catalogue:filters:{catalogue_revision()}"
    cached = cache.get(key)
    if cached is None:
        cached = (
            [(a.code, a.name_zh, a.name_en) for a in Agency.objects.order_by("code")],
            [(t.code, t.name_zh, t.name_en) for t in topics()],
        )
        cache.set(key, cached, SEARCH_CACHE_SECONDS)
    return cast(tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]], cached)
