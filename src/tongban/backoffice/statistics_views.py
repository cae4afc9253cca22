"""Back office: how often the once-only principle spared applicants an upload, per service."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tongban.backoffice.decorators import staff_required
from tongban.cases.models import CaseMaterial, MaterialSource
from tongban.core.errors import PermissionDeniedError
from tongban.identity.models import StaffRoleKind
from tongban.identity.requests import StaffRequest
from tongban.identity.selectors import has_role


@staff_required
def reuse(request: StaffRequest) -> HttpResponse:
    if not has_role(request.staff_roles, StaffRoleKind.CITY_OPERATOR):
        raise PermissionDeniedError(_("Only city operators see the city's statistics."))
    rows = (
        CaseMaterial.objects.values("case__item__code", "material_code")
        .annotate(
            reused=Count("id", filter=Q(source=MaterialSource.CERTIFICATE)),
            uploaded=Count("id", filter=Q(source=MaterialSource.UPLOAD)),
        )
        .order_by("case__item__code", "material_code")
    )
    return render(request, "backoffice/reuse.html", {"rows": list(rows)})
