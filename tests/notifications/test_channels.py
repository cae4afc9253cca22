"""Notices by channel: template files in the recipient's language, the person's choice of e-mail
and SMS, one delivery record per channel, retries with back-off on failure, nothing sent twice
and nothing sent for a rolled-back change."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from tests.factories import AccountFactory
from tests.notifications.doubles import FailingGateway
from tongban.core.actors import Actor
from tongban.notifications import templates
from tongban.notifications.backoff import gives_up, next_attempt_at
from tongban.notifications.checks import check_send_timeouts
from tongban.notifications.models import Delivery, DeliveryStatus, Message
from tongban.notifications.services import message_send, preference_set
from tongban.notifications.sms.base import gateway
from tongban.notifications.tasks import _claim as claim
from tongban.notifications.tasks import deliver, email_message_id, sweep_deliveries

DOUBLE = "tests.notifications.doubles.FailingGateway"
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
CASE = {"number": "2026-000123", "service": lambda: "Work permit", "reason": "", "wanted": list}


@pytest.fixture
def double() -> Iterator[type[FailingGateway]]:
    FailingGateway.reset()
    gateway.cache_clear()
    with override_settings(SMS_GATEWAY=DOUBLE):
        yield FailingGateway
    gateway.cache_clear()


@pytest.fixture
def send(django_capture_on_commit_callbacks: Any) -> Callable[..., Message]:
    """message_send, with the after-commit enqueue run as a commit would (immediate backend)."""

    def run(**kwargs: Any) -> Message:
        with django_capture_on_commit_callbacks(execute=True):
            return message_send(event="case/approve", context=CASE, now=timezone.now(), **kwargs)

    return run


def _sms_account(**kwargs: object) -> object:
    account = AccountFactory(phone="13800138000", **kwargs)
    preference_set(account=account, email=False, sms=True, actor=Actor.system(), now=timezone.now())
    return account


def test_backoff_doubles_up_to_the_cap() -> None:
    now = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    delays = [
        (next_attempt_at(attempts=n, now=now, base_seconds=30, cap_seconds=300) - now).seconds for n in range(1, 7)
    ]
    assert delays == [30, 60, 120, 240, 300, 300]
    assert not gives_up(attempts=5, max_attempts=6) and gives_up(attempts=6, max_attempts=6)
    with pytest.raises(ValueError):
        next_attempt_at(attempts=0, now=now, base_seconds=30, cap_seconds=300)


def test_an_event_template_renders_in_each_language_from_its_files() -> None:
    assert templates.exists("case/approve") and not templates.exists("case/no-such-event")
    subject_en, body_en = templates.render("case/approve", CASE, "en")
    subject_zh, body_zh = templates.render("case/approve", {**CASE, "service": lambda: "工作许可"}, "zh-hans")
    assert subject_en == "Case 2026-000123 approved"
    assert body_en == "Your application for “Work permit” (case 2026-000123) was approved."
    assert "2026-000123" in subject_zh and subject_zh != subject_en
    assert "工作许可" in body_zh
    # Plain text: nothing is HTML-escaped.
    _s, body = templates.render("case/reject", {**CASE, "reason": "<b>& missing</b>"}, "en")
    assert body.endswith("Reason: <b>& missing</b>")


def test_the_supplement_notice_lists_what_is_wanted() -> None:
    _s, body = templates.render(
        "case/request_supplement",
        {**CASE, "reason": "Scan both sides", "wanted": lambda: ["Passport", "Contract"]},
        "en",
    )
    assert body.splitlines() == [
        "To continue with case 2026-000123 (“Work permit”) we need:",
        "- Passport",
        "- Contract",
        "The agency's note: Scan both sides",
        "Open the case in My space to supply them. The time limit is paused until then.",
    ]


@pytest.mark.django_db
def test_channels_follow_the_persons_choice(double: type[FailingGateway], send: Callable[..., Message]) -> None:
    default = AccountFactory(phone="13900139000")
    message = send(recipient=default)
    assert [d.channel for d in message.deliveries.all()] == ["email"]  # default: e-mail, no SMS
    assert len(mail.outbox) == 1 and double.sent == []

    texter = _sms_account(preferred_language="en")
    message = send(recipient=texter)
    sms = Delivery.objects.get(message=message)
    assert (sms.channel, sms.address, sms.status, sms.attempts) == ("sms", "13800138000", DeliveryStatus.SENT, 1)
    assert len(mail.outbox) == 1  # e-mail turned off
    ((phone, text, reference),) = double.sent
    assert phone == "13800138000" and text.startswith("Case 2026-000123 approved")
    assert reference == f"tongban-{sms.pk}" and sms.provider_ref == "double-1"
    assert message.event == "case/approve" and message.subject_en == "Case 2026-000123 approved"


@pytest.mark.django_db
def test_a_failed_sms_is_retried_with_backoff_until_sent(
    double: type[FailingGateway], send: Callable[..., Message]
) -> None:
    account = _sms_account()
    double.reset(failures=2)
    with override_settings(NOTIFY_RETRY_BASE_SECONDS=30):
        message = send(recipient=account)
    delivery = Delivery.objects.get(message=message)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRY, 1)
    assert "gateway unavailable" in delivery.last_error
    assert delivery.next_attempt_at is not None and delivery.next_attempt_at > timezone.now()

    # Not yet due: the sweep leaves it alone.
    assert sweep_deliveries.call() == 0
    # Due (the immediate test backend cannot defer, so the sweep is what retries it).
    for expected_attempts, expected in ((2, DeliveryStatus.RETRY), (3, DeliveryStatus.SENT)):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=2))
        assert sweep_deliveries.call() == 1
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (expected, expected_attempts)
    assert len(double.sent) == 1 and delivery.last_error == ""
    assert sweep_deliveries.call() == 0


@pytest.mark.django_db
def test_gives_up_after_the_last_attempt_or_at_once_when_refused(
    double: type[FailingGateway], send: Callable[..., Message]
) -> None:
    account = _sms_account()
    double.reset(failures=99)
    with override_settings(NOTIFY_MAX_ATTEMPTS=2):
        message = send(recipient=account)
        delivery = Delivery.objects.get(message=message)
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=2))
        sweep_deliveries.call()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.FAILED, 2, None)

    double.reset(failures=1, permanent=True)
    message = send(recipient=account)
    delivery = Delivery.objects.get(message=message)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert double.sent == []


@pytest.mark.django_db
def test_a_delivery_is_sent_once_however_often_its_task_runs(
    double: type[FailingGateway], send: Callable[..., Message]
) -> None:
    account = _sms_account()
    message = send(recipient=account)
    delivery = Delivery.objects.get(message=message)
    assert deliver.enqueue(delivery_id=delivery.pk).return_value == "not-claimed"
    assert len(double.sent) == 1
    # A claim whose worker died mid-send is taken over once it is stale, and only then.
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENDING, claimed_at=timezone.now())
    assert deliver.enqueue(delivery_id=delivery.pk).return_value == "not-claimed"
    Delivery.objects.filter(pk=delivery.pk).update(claimed_at=timezone.now() - timedelta(hours=1))
    assert deliver.enqueue(delivery_id=delivery.pk).return_value == DeliveryStatus.SENT
    assert len(double.sent) == 2  # at-least-once after a crash; the reference lets a gateway dedupe
    assert {reference for _p, _t, reference in double.sent} == {f"tongban-{delivery.pk}"}


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_retries_through_run_after(double: type[FailingGateway]) -> None:
    """On the default database backend the task re-enqueues itself with ``run_after``."""
    account = _sms_account()
    double.reset(failures=1)
    with override_settings(TASKS=DB_TASKS, NOTIFY_RETRY_BASE_SECONDS=0.0):
        with transaction.atomic():
            message = message_send(recipient=account, event="case/approve", context=CASE, now=timezone.now())
        call_command("db_worker", "--batch", "--no-startup-delay")
    delivery = Delivery.objects.get(message=message)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert len(double.sent) == 1


@pytest.mark.django_db(transaction=True)
def test_nothing_is_recorded_or_sent_for_a_rolled_back_change(double: type[FailingGateway]) -> None:
    account = _sms_account()

    class RollbackError(Exception):
        pass

    def write_then_fail() -> None:
        with transaction.atomic():
            message_send(recipient=account, event="case/approve", context=CASE, now=timezone.now())
            raise RollbackError

    with pytest.raises(RollbackError):
        write_then_fail()
    assert not Message.objects.exists() and not Delivery.objects.exists()
    assert double.sent == [] and mail.outbox == []


@pytest.mark.django_db
def test_the_fake_gateway_writes_each_text_to_its_file(tmp_path: Path, send: Callable[..., Message]) -> None:
    log = tmp_path / "sms.log"
    gateway.cache_clear()
    try:
        with override_settings(SMS_FAKE_FILE=str(log)):
            account = _sms_account(preferred_language="zh-hans")
            send(recipient=account)
    finally:
        gateway.cache_clear()
    (line,) = log.read_text().splitlines()
    entry = json.loads(line)
    assert entry["to"] == "13800138000" and "2026-000123" in entry["text"]
    assert Delivery.objects.get().provider_ref == entry["id"]


@pytest.mark.django_db
def test_a_live_claim_is_taken_over_only_by_its_own_job_run_again() -> None:
    """RQ reruns a job (its Retry) only after the earlier run ended or was declared abandoned past
    its timeout (ADR 0050): that rerun may take the claim at once; any other run must wait until
    the claim is stale, so two live runs never both send."""
    account = _sms_account()
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        message = message_send(event="case/approve", context=CASE, now=timezone.now(), recipient=account)
    delivery = Delivery.objects.get(message=message)
    now = timezone.now()
    assert claim(delivery.pk, now, "job-1")
    assert not claim(delivery.pk, now, "job-2")  # a live claim of another run
    assert claim(delivery.pk, now, "job-1")  # the same job, run again after its run died
    delivery.refresh_from_db()
    assert (delivery.status, delivery.claimed_by) == (DeliveryStatus.SENDING, "job-1")
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT)
    assert not claim(delivery.pk, now, "job-1")  # once sent, nobody


@pytest.mark.django_db
def test_an_email_carries_the_same_message_id_on_every_try(send: Callable[..., Message]) -> None:
    account = AccountFactory(email="li@example.org")
    message = send(recipient=account)
    delivery = Delivery.objects.get(message=message)
    [email] = mail.outbox
    expected = f"<tongban-delivery-{delivery.pk}@tongban.example>"
    assert email.message()["Message-ID"] == expected
    assert email_message_id(delivery) == expected
    message.refresh_from_db()
    assert message.emailed_at == Delivery.objects.get(pk=delivery.pk).sent_at  # recorded together


def test_the_send_timeouts_are_checked() -> None:
    assert check_send_timeouts(None) == []
    with override_settings(NOTIFY_JOB_TIMEOUT_SECONDS=60):
        assert [e.id for e in check_send_timeouts(None)] == ["notifications.E001"]
    with override_settings(NOTIFY_STALE_SECONDS=30):
        assert [e.id for e in check_send_timeouts(None)] == ["notifications.E002"]
