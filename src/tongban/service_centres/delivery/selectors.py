"""Reads about deliveries: a case's delivery, the centres a case's result may be collected at,
the results waiting at a clerk's centres, and the results by post a clerk's centres may send."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from tongban.cases.models import Case
from tongban.identity.models import ServiceCentre
from tongban.service_centres.models import Delivery, DeliveryMethod, DeliveryStatus, Visit
from tongban.service_centres.selectors import centres_for_service


def delivery_of_case(case: Case) -> Delivery | None:
    return Delivery.objects.select_related("centre").filter(case=case).first()


def pickup_centres(case: Case) -> QuerySet[ServiceCentre]:
    """The centres where the result of ``case`` may be collected: those that handle its service."""
    return centres_for_service(case.item)


def pickups_at(centre_ids: Iterable[int]) -> list[Delivery]:
    """Results chosen for pickup at these centres and not yet handed over, ready ones first
    (one query)."""
    return list(
        Delivery.objects.filter(
            centre_id__in=list(centre_ids),
            method=DeliveryMethod.PICKUP,
            status__in=[DeliveryStatus.READY, DeliveryStatus.CHOSEN],
        )
        .select_related("case__version", "centre")
        .order_by("-status", "ready_at", "pk")[:200]
    )


def posts_from(centre_ids: Iterable[int], *, limit: int = 200) -> list[Delivery]:
    """Results by post, marked ready by the agency and not yet posted, of cases filed at a window of
    these centres or served on a ticket there (``policy.may_post_as_clerk``), longest ready first
    (one query: the partial index ``sc_delivery_to_post`` holds only the results waiting to be
    posted, each checked against its case and its visits)."""
    centres = list(centre_ids)
    served_here = Visit.objects.filter(case_id=OuterRef("case_id"), ticket__centre_id__in=centres)
    return list(
        Delivery.objects.filter(method=DeliveryMethod.POST, status=DeliveryStatus.READY)
        .filter(Q(case__entered_at_centre_id__in=centres) | Exists(served_here))
        .select_related("case__version", "case__entered_at_centre")
        .order_by("ready_at", "pk")[:limit]
    )
