"""Back office: city operators see what the platform sent and what failed — one delivery record per
message and outside channel (e-mail, SMS), with attempts and the last error. Addresses are
masked: the page is for the state of sending, not for reading people's contact details."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tongban.backoffice.decorators import staff_account, staff_required
from tongban.core.clock import now
from tongban.core.masking import mask_identifier
from tongban.identity.permissions import require_city_operator
from tongban.notifications.models import Channel, DeliveryStatus
from tongban.notifications.selectors import deliveries, delivery_counts


@staff_required
def notification_deliveries(request: HttpRequest) -> HttpResponse:
    require_city_operator(account=staff_account(request), message=_("Only city operators see the notices sent."))
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    status = status if status in DeliveryStatus.values else ""
    channel = channel if channel in Channel.values else ""
    rows = deliveries(status=status, channel=channel)
    counts = delivery_counts(since=now() - timedelta(days=1))
    return render(
        request,
        "backoffice/notification_deliveries.html",
        {
            "rows": [(row, mask_identifier(row.address)) for row in rows],
            "counts": [(DeliveryStatus(value).label, value, counts[value]) for value in DeliveryStatus.values],
            "statuses": DeliveryStatus.choices,
            "channels": Channel.choices,
            "status": status,
            "channel": channel,
        },
    )
