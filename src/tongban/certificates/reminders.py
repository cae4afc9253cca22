"""Certificates about to expire: their holder (the person, or the firm's legal representative) is
told ``CERTIFICATE_EXPIRY_NOTICE_DAYS`` days before, and again in the last week — a daily job on
``core.schedule``, safe to run twice (``notifications.reminders.remind_once``). It reads the
partial index ``cert_valid_until`` (live certificates with an end date)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils.dateparse import parse_datetime
from django_tasks import task

from tongban.certificates.models import Certificate
from tongban.core import bilingual
from tongban.core.clock import now as clock_now
from tongban.core.deadlines import local_date
from tongban.notifications.reminders import remind_once

LAST_WEEK = 7


def stage(days_left: int, notice_days: int) -> int | None:
    """Which reminder is due with ``days_left`` until expiry: the early one (``notice_days``), the
    last week's (7), or none (pure)."""
    if days_left < 0 or days_left > notice_days:
        return None
    return LAST_WEEK if days_left <= LAST_WEEK else notice_days


def remind_expiring(*, now: datetime) -> int:
    notice_days = settings.CERTIFICATE_EXPIRY_NOTICE_DAYS
    expiring = (
        Certificate.objects.filter(
            revoked_at__isnull=True, valid_until__gt=now, valid_until__lte=now + timedelta(days=notice_days)
        )
        .select_related("holder_person__account", "holder_firm__legal_representative__account", "certificate_type")
        .order_by("valid_until", "pk")
    )
    sent = 0
    for certificate in expiring.iterator(chunk_size=500):
        assert certificate.valid_until is not None
        ends_on = local_date(certificate.valid_until)
        step = stage((ends_on - local_date(now)).days, notice_days)
        holder = certificate.holder_person or (
            certificate.holder_firm.legal_representative if certificate.holder_firm else None
        )
        account = holder.account if holder is not None else None
        if step is None or account is None or not account.is_active:
            continue
        kind = certificate.certificate_type
        sent += remind_once(
            key=f"cert-expiring:{certificate.number}:{ends_on.isoformat()}:{step}",
            recipient=account,
            event="certificate/expiring",
            context={
                "number": certificate.number,
                "kind": lambda kind=kind: bilingual.localized(kind, "name"),
                "holder": lambda c=certificate: bilingual.pick(c.holder_name_zh, c.holder_name_en),
                "ends_on": ends_on.isoformat(),
            },
            now=now,
            case_number=certificate.case_number,
        )
    return sent


@task()
def expiry_reminders_job(*, slot: str | None = None) -> int:
    at = (parse_datetime(slot) if slot else None) or clock_now()
    return remind_expiring(now=at)
