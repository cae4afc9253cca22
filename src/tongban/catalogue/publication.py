"""Publishing a draft version: the catalogue's half, without the form check.

A version is published only with its form definition (nobody could apply for it otherwise), and
the catalogue sits below the forms context, so it cannot check that itself. The one public way to
publish is therefore ``forms.services.service_version_publish_with_form``: it refuses a version
without its form, then calls this module. An import-linter ``protected`` contract (pyproject.toml)
lets only ``tongban.forms.services`` import it, so no other path (front end, API, demo loader) can
publish around the check; see ADR 0001's addendum.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import audit_record
from tongban.catalogue.models import ServiceItem, ServiceVersion, VersionStatus
from tongban.catalogue.permissions import require_catalogue_editor
from tongban.catalogue.selectors import bump_catalogue_revision
from tongban.catalogue.services import build_search_text, check_content, check_delivers_result
from tongban.core.actors import Actor
from tongban.core.errors import ConflictError
from tongban.identity.models import Agency
from tongban.identity.permissions import Editor


@transaction.atomic
def service_version_publish_without_form_check(
    *, version: ServiceVersion, editor: Editor, actor: Actor, now: datetime
) -> ServiceVersion:
    """Publish a draft: it becomes what the public sees and what new cases are made under; the
    previous published version is retired. Checks the editor and the content, not the form: call
    it only through ``forms.services.service_version_publish_with_form``."""
    version = ServiceVersion.objects.select_for_update(of=("self",)).select_related("item__agency").get(pk=version.pk)
    require_catalogue_editor(account=editor, agency=version.item.agency)
    if version.status != VersionStatus.DRAFT:
        raise ConflictError(_("Only a draft can be published."))
    check_content(version)
    check_delivers_result(version)
    # The agency's names go into the search text: read them under a lock that a concurrent rename
    # (``identity.services.structure.agency_update``, which locks the agency FOR UPDATE and then rebuilds
    # the search text of its published versions) waits for, or waits on. NO KEY: new offices and
    # services of the agency (rows pointing at it) go on meanwhile.
    version.item.agency = Agency.objects.select_for_update(no_key=True).get(pk=version.item.agency_id)
    item = ServiceItem.objects.select_for_update().get(pk=version.item_id)
    previous = item.published_version_id
    ServiceVersion.objects.filter(item=item, status=VersionStatus.PUBLISHED).update(status=VersionStatus.RETIRED)
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.search_text = build_search_text(version, list(version.topics.all()))
    version.save(update_fields=["status", "published_at", "search_text"])
    item.published_version = version
    item.save(update_fields=["published_version"])
    transaction.on_commit(bump_catalogue_revision)
    audit_record(
        action="catalogue.version_published",
        actor=actor,
        object_type="service",
        object_id=item.code,
        data={"version": version.number, "previous_version_id": previous},
    )
    return version
