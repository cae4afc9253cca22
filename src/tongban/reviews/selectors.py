"""Reads of reviews: a person's own ratings, a member of staff's rectification queue, and the
public satisfaction aggregates.

The public aggregates are a fixed number of GROUP BY queries over the review table's
``reviews_*_agg`` indexes (one per dimension, one for the monthly trend), whatever the number of
rows; rows with fewer than ``REVIEW_MIN_PUBLIC_COUNT`` ratings are left out. They never read a
comment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from tongban.cases.models import Case
from tongban.catalogue.models import ServiceItem
from tongban.core.db import Read
from tongban.core.deadlines import SHANGHAI
from tongban.identity.models import Account, Agency, Person, ServiceCentre, StaffRole, StaffRoleKind
from tongban.reviews import permissions, rules
from tongban.reviews.models import Channel, Rectification, Responsible, Review
from tongban.service_centres.models import Appointment, Ticket, TicketStatus

_SATISFIED = Q(level__in=rules.SATISFIED_LEVELS)


_CASE_BY_NUMBER = f'(SELECT c.id FROM "{Case._meta.db_table}" c WHERE c.number = %s)'  # noqa: S608 - metadata only
_REVIEW_TABLE = Review._meta.db_table


def case_review_reads(*, case_number: str) -> tuple[Read, Read]:
    """The case's rating and its rectification ticket, if any, found by the case number: static
    reads (``core.db``) that the rating page sends with the case's own in one round trip (indexes
    reviews_once_per_case and the ticket's one-to-one). ``review_with_rectification`` joins them."""
    return (
        Read(Review, f"WHERE t.channel = %s AND t.case_id = {_CASE_BY_NUMBER}", [Channel.CASE.value, case_number]),
        Read(
            Rectification,
            f'WHERE t.review_id = (SELECT r.id FROM "{_REVIEW_TABLE}" r '  # noqa: S608 - metadata only
            f"WHERE r.channel = %s AND r.case_id = {_CASE_BY_NUMBER})",
            [Channel.CASE.value, case_number],
        ),
    )


def review_with_rectification(reviews: list[Review], rectifications: list[Rectification]) -> Review | None:
    """The rating read by ``case_review_reads`` with its ticket attached (``review.rectification``
    then needs no query; without a ticket it raises ``Rectification.DoesNotExist`` as usual)."""
    if not reviews:
        return None
    review = reviews[0]
    Review.rectification.related.set_cached_value(review, rectifications[0] if rectifications else None)
    return review


def case_rating_read(*, case_number: str) -> Read:
    """The case's rating, if any (its id only: whether there is one), found by the case number: a
    static read (``core.db``) that the applicant's case page sends with its own in one round trip
    (index reviews_once_per_case)."""
    return Read(
        Review,
        f"WHERE t.channel = %s AND t.case_id = {_CASE_BY_NUMBER}",
        [Channel.CASE.value, case_number],
        fields=("id",),
    )


def unrated_cases(*, case_ids: list[int]) -> frozenset[int]:
    """Which of these (decided, own) cases have no rating yet: one query, none for an empty list."""
    if not case_ids:
        return frozenset()
    rated = set(Review.objects.filter(channel=Channel.CASE, case_id__in=case_ids).values_list("case_id", flat=True))
    return frozenset(pk for pk in case_ids if pk not in rated)


def review_of_ticket(*, ticket_id: int) -> Review | None:
    return Review.objects.filter(channel=Channel.TICKET, ticket_id=ticket_id).select_related("rectification").first()


def review_of_appointment(*, appointment_id: int) -> Review | None:
    return (
        Review.objects.filter(channel=Channel.APPOINTMENT, appointment_id=appointment_id)
        .select_related("rectification")
        .first()
    )


def ticket_of_person(*, person: Person, ticket_id: int) -> Ticket | None:
    """The person's own queue ticket (another's: ``None``, shown as not found)."""
    return (
        Ticket.objects.filter(pk=ticket_id, person=person)
        .select_related("centre", "item__published_version", "appointment")
        .first()
    )


def served_visits_of(*, person: Person, limit: int = 20) -> list[Ticket]:
    """The person's served window visits, newest first (led by the index ``sc_ticket_person``)."""
    return list(
        Ticket.objects.filter(person=person, status=TicketStatus.DONE)
        .select_related("centre", "item__published_version")
        .order_by("-issued_at")[:limit]
    )


@dataclass(frozen=True)
class RatingState:
    """Which of a list's appointments and visits were rated already, and which may be rated now."""

    appointments: frozenset[int]
    tickets: frozenset[int]
    attended: frozenset[int]  # appointments attended (arrived, or their ticket served)


def rated_among(*, appointments: list[Appointment], tickets: list[Ticket]) -> RatingState:
    """Two or three queries whatever the length of the lists."""
    appointment_ids = [a.pk for a in appointments]
    ticket_ids = [t.pk for t in tickets]
    rated_appointments = (
        set(
            Review.objects.filter(channel=Channel.APPOINTMENT, appointment_id__in=appointment_ids).values_list(
                "appointment_id", flat=True
            )
        )
        if appointment_ids
        else set()
    )
    rated_tickets = (
        set(Review.objects.filter(channel=Channel.TICKET, ticket_id__in=ticket_ids).values_list("ticket_id", flat=True))
        if ticket_ids
        else set()
    )
    served = (
        set(
            Ticket.objects.filter(appointment_id__in=appointment_ids, status=TicketStatus.DONE).values_list(
                "appointment_id", flat=True
            )
        )
        if appointment_ids
        else set()
    )
    attended = {a.pk for a in appointments if rules.appointment_rateable(a.status, "done" if a.pk in served else None)}
    return RatingState(
        appointments=frozenset(i for i in rated_appointments if i is not None),
        tickets=frozenset(i for i in rated_tickets if i is not None),
        attended=frozenset(attended),
    )


def reviews_of(*, account: Account) -> QuerySet[Review]:
    """The account's own ratings, newest first, with their tickets (answers)."""
    return (
        Review.objects.filter(account=account)
        .select_related("rectification", "case", "ticket", "appointment", "centre")
        .order_by("-created_at")[:100]
    )


def rectification_queue(*, roles: Iterable[StaffRole], status: str = "") -> QuerySet[Rectification]:
    """The tickets the member of staff may work, earliest deadline first."""
    where = permissions.queue_filter(roles)
    if where is None:
        return Rectification.objects.none()
    rows = Rectification.objects.filter(where)
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("review", "review__case", "agency", "centre").order_by(
        "answered_at", "rectify_due_on", "pk"
    )[:200]


def rectification_for(*, roles: Iterable[StaffRole], pk: int) -> Rectification | None:
    where = permissions.queue_filter(roles)
    if where is None:
        return None
    return (
        Rectification.objects.filter(where)
        .select_related("review", "review__case", "agency", "centre")
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class Row:
    """One published row: who, how many ratings, the satisfaction rate, the rectification figures."""

    key: int
    name_zh: str
    name_en: str
    total: int
    satisfied: int
    tickets: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return rules.satisfaction_rate(satisfied=self.satisfied, total=self.total)

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.tickets if self.tickets else None


@dataclass(frozen=True)
class Month:
    month: datetime
    total: int
    satisfied: int

    @property
    def rate(self) -> float | None:
        return rules.satisfaction_rate(satisfied=self.satisfied, total=self.total)


def _counts(field: str) -> dict[int, tuple[int, int, int, int]]:
    """Per value of ``field``: ratings, satisfied ones, tickets and tickets answered on time."""
    rows = (
        Review.objects.filter(**{f"{field}__isnull": False})
        .values(field)
        .annotate(
            total=Count("pk"),
            satisfied=Count("pk", filter=_SATISFIED),
            tickets=Count("rectification"),
            on_time=Count(
                "rectification",
                filter=Q(rectification__answered_on_time=True),
            ),
        )
        .order_by()
    )
    return {row[field]: (row["total"], row["satisfied"], row["tickets"], row["on_time"]) for row in rows}


def satisfaction(*, minimum: int | None = None) -> dict[str, object]:
    """The public page's figures: per agency, service and centre, and the monthly trend."""
    least = int(settings.REVIEW_MIN_PUBLIC_COUNT) if minimum is None else minimum
    result: dict[str, object] = {}
    for name, field, names in (
        ("agencies", "agency", Agency.objects.values_list("pk", "name_zh", "name_en")),
        (
            "services",
            "item",
            ServiceItem.objects.values_list("pk", "published_version__name_zh", "published_version__name_en"),
        ),
        ("centres", "centre", ServiceCentre.objects.values_list("pk", "name_zh", "name_en")),
    ):
        counts = {key: value for key, value in _counts(f"{field}_id").items() if value[0] >= least}
        labels = {pk: (zh or "", en or "") for pk, zh, en in names.filter(pk__in=counts)} if counts else {}
        result[name] = sorted(
            (Row(key, *labels.get(key, ("", "")), *counts[key]) for key in counts),
            key=lambda row: (-row.total, row.name_en),
        )
    months = (
        Review.objects.annotate(month=TruncMonth("created_at", tzinfo=SHANGHAI))
        .values("month")
        .annotate(total=Count("pk"), satisfied=Count("pk", filter=_SATISFIED))
        .order_by("month")
    )
    result["months"] = [Month(row["month"], row["total"], row["satisfied"]) for row in months if row["total"] >= least]
    totals = Review.objects.aggregate(total=Count("pk"), satisfied=Count("pk", filter=_SATISFIED))
    result["total"] = totals["total"] if totals["total"] >= least else None
    result["rate"] = (
        rules.satisfaction_rate(satisfied=totals["satisfied"], total=totals["total"])
        if totals["total"] >= least
        else None
    )
    return result


def responsible_accounts(rectification: Rectification) -> list[Account]:
    """The active accounts that answer for a ticket: the city operators once it is escalated (or
    when the city is responsible), the centre's head for a window visit, else the agency's
    supervisors and administrators (one query)."""
    roles = StaffRole.objects.filter(revoked_at__isnull=True).select_related("account")
    if rectification.escalated_at is not None or rectification.responsible == Responsible.CITY:
        roles = roles.filter(role=StaffRoleKind.CITY_OPERATOR)
    elif rectification.responsible == Responsible.CENTRE:
        roles = roles.filter(role=StaffRoleKind.CENTRE_HEAD, service_centre_id=rectification.centre_id)
    else:
        roles = roles.filter(
            role__in=[StaffRoleKind.SUPERVISOR, StaffRoleKind.AGENCY_ADMIN], agency_id=rectification.agency_id or 0
        )
    accounts: dict[int, Account] = {}
    for role in roles:
        if role.account.is_active:
            accounts.setdefault(role.account.pk, role.account)
    return list(accounts.values())
