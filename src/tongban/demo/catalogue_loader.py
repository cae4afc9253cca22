"""Load the demo city's service catalogue (``catalogue_data``) through the catalogue services,
publishing each service with its form (``forms.services.service_version_publish_with_form``).

Idempotent: topics, search synonyms, points tables and services are looked up by code first, and a service that
already exists is left as it is (operators may have edited it since); a second run changes
nothing. The agencies come from the demo city (``tongban.demo.loader.load``), which must have
been loaded first.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from tongban.catalogue.models import (
    CertificateType,
    PointsFactor,
    PointsOption,
    PointsTable,
    SearchSynonym,
    ServiceItem,
    Topic,
)
from tongban.catalogue.services import EDITABLE_FIELDS, service_item_create
from tongban.catalogue.synonyms import search_synonym_save
from tongban.core.actors import Actor
from tongban.demo import catalogue_data, catalogue_everyday, certificates_data, synonyms_data
from tongban.demo.catalogue_data import PointsTableData, ServiceData
from tongban.forms.models import FormDefinition
from tongban.forms.services import service_version_publish_with_form
from tongban.identity.models import Agency

LOADER = Actor.system("demo-loader")

#: Every demo service: the first catalogue, then the services residents look for first.
SERVICES: tuple[ServiceData, ...] = (*catalogue_data.SERVICES, *catalogue_everyday.SERVICES)

#: ServiceData attributes that are the version's content: what an editor may set on a draft, except
#: the certificate type, which the loader sets from the service's certificate code.
CONTENT_FIELDS = tuple(field for field in EDITABLE_FIELDS if field != "certificate_type")


def content_of(service: ServiceData) -> dict[str, Any]:
    return {name: getattr(service, name) for name in CONTENT_FIELDS}


@transaction.atomic
def load_catalogue(*, now: datetime) -> None:
    """Create what is missing of the demo catalogue; publish each new service."""
    for topic in catalogue_data.TOPICS:
        Topic.objects.get_or_create(
            code=topic.code, defaults={"name_zh": topic.name_zh, "name_en": topic.name_en, "position": topic.position}
        )
    # Synonyms first: each service published below is then findable by them.
    known = set(SearchSynonym.objects.values_list("term", "language"))
    for term, expansions, language in synonyms_data.SYNONYMS:
        if (term, language) not in known:
            search_synonym_save(term=term, expansions=expansions, language=language, editor=LOADER, actor=LOADER)
    for table in catalogue_data.POINTS_TABLES:
        _points_table(table)
    types = {
        spec["code"]: CertificateType.objects.get_or_create(code=spec["code"], defaults=spec)[0]
        for spec in certificates_data.CERTIFICATE_TYPES
    }
    needed = {service.agency for service in SERVICES}
    agencies = {agency.code: agency for agency in Agency.objects.filter(code__in=needed)}
    missing = needed - set(agencies)
    if missing:
        raise ImproperlyConfigured(f"Load the demo city first; agencies missing: {', '.join(sorted(missing))}")
    existing = set(ServiceItem.objects.filter(code__in=[s.code for s in SERVICES]).values_list("code", flat=True))
    for service in SERVICES:
        if service.code in existing:
            continue
        content = content_of(service)
        if service.code in certificates_data.ISSUED_BY:
            content["certificate_type"] = types[certificates_data.ISSUED_BY[service.code]]
        materials = []
        for material in service.materials:
            row = asdict(material)
            replaced_by = certificates_data.REPLACES.get((service.code, material.code))
            if replaced_by:
                row["certificate_type"] = types[replaced_by]
            materials.append(row)
        layout = service.form.layout()
        for (code, field), source in certificates_data.PREFILL.items():
            if code == service.code and field in layout["fields"]:
                layout["fields"][field].update(prefill=source, authoritative=True)
        version = service_item_create(
            code=service.code,
            agency=agencies[service.agency],
            area=service.area,
            content=content,
            materials=materials,
            topic_codes=list(service.topics),
            editor=LOADER,
            actor=LOADER,
        )
        FormDefinition.objects.create(
            version=version,
            schema=service.form.schema(),
            layout=layout,
            points_table=service.form.points_table,
            points_fields=dict(service.form.points_fields),
        )
        service_version_publish_with_form(version=version, editor=LOADER, actor=LOADER, now=now)


def _points_table(data: PointsTableData) -> PointsTable:
    table, _created = PointsTable.objects.get_or_create(
        code=data.code,
        defaults={
            "name_zh": data.name_zh,
            "name_en": data.name_en,
            "source_zh": data.source_zh,
            "source_en": data.source_en,
            "category_a_min": data.category_a_min,
            "category_b_min": data.category_b_min,
        },
    )
    for factor_position, factor_data in enumerate(data.factors):
        factor, _created = PointsFactor.objects.get_or_create(
            table=table,
            code=factor_data.code,
            defaults={"position": factor_position, "name_zh": factor_data.name_zh, "name_en": factor_data.name_en},
        )
        for option_position, option in enumerate(factor_data.options):
            PointsOption.objects.get_or_create(
                factor=factor,
                code=option.code,
                defaults={
                    "position": option_position,
                    "label_zh": option.label_zh,
                    "label_en": option.label_en,
                    "points": option.points,
                },
            )
    return table
