"""Background work runs through django-tasks: the database worker really picks tasks up, and a
service's task is queued with its transaction (tongban.core.tasks.enqueue_with_commit)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.factories import AccountFactory
from tongban.core.tasks import send_email
from tongban.notifications.models import Delivery, Message
from tongban.notifications.services import message_send
from tongban.notifications.tasks import deliver


@pytest.mark.django_db(transaction=True)
def test_database_worker_sends_queued_email() -> None:
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}):
        result = send_email.enqueue(subject="Hello", body="From the worker", to=["a@example.org"])
        assert len(mail.outbox) == 0
        call_command("db_worker", "--batch", "--no-startup-delay")
        result.refresh()
        assert result.status == "SUCCESSFUL"
        assert len(mail.outbox) == 1 and mail.outbox[0].subject == "Hello"


DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _render() -> tuple[str, str]:
    return "Case accepted", "Your case is with the officer."


class _RollbackError(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_a_notice_queues_its_email_in_the_writing_transaction(django_capture_on_commit_callbacks) -> None:
    """The database backend is a transactional outbox: the e-mail task is a row of the notice's own
    transaction (no after-commit hook a crash could skip), gone with it on rollback, and the
    worker sends it once it has committed."""
    account = AccountFactory(preferred_language="en", email="hr@example.org")
    with override_settings(TASKS=DB_TASKS):
        queued_inside: list[int] = []

        def write_then_fail() -> None:
            with transaction.atomic():
                message_send(recipient=account, render=_render, now=timezone.now())
                queued_inside.append(DBTaskResult.objects.filter(task_path=deliver.module_path).count())
                raise _RollbackError

        with pytest.raises(_RollbackError):
            write_then_fail()
        assert queued_inside == [1]  # the task row was part of the transaction
        assert not DBTaskResult.objects.exists() and not Message.objects.exists()

        with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
            message = message_send(recipient=account, render=_render, now=timezone.now())
        assert callbacks == []  # nothing left to an after-commit hook
        queued = DBTaskResult.objects.get()
        assert queued.task_path == deliver.module_path
        assert queued.args_kwargs == {"args": [], "kwargs": {"delivery_id": Delivery.objects.get(message=message).pk}}

        call_command("db_worker", "--batch", "--no-startup-delay")
    assert [(m.subject, m.to) for m in mail.outbox] == [("Case accepted", ["hr@example.org"])]
    message.refresh_from_db()
    assert message.emailed_at is not None


@pytest.mark.django_db
def test_other_backends_enqueue_only_after_commit(django_capture_on_commit_callbacks) -> None:
    """A backend outside the database (here the immediate one; RQ in tests/core/test_rq_tasks.py)
    cannot join the transaction: the task is enqueued by an after-commit hook, never before."""
    account = AccountFactory(preferred_language="en", email="hr@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message_send(recipient=account, render=_render, now=timezone.now())
    assert len(callbacks) == 1 and mail.outbox == []
    callbacks[0]()
    assert [m.subject for m in mail.outbox] == ["Case accepted"]
