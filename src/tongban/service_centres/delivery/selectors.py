"""Reads about deliveries: a case's delivery, the centres a case's result may be collected at,
and the results waiting at a clerk's centres."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from tongban.cases.models import Case
from tongban.identity.models import ServiceCentre
from tongban.service_centres.models import Delivery, DeliveryMethod, DeliveryStatus
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
