"""Background work runs through django-tasks: the database worker really picks tasks up."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from tongban.core.tasks import send_email


@pytest.mark.django_db(transaction=True)
def test_database_worker_sends_queued_email() -> None:
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}):
        result = send_email.enqueue(subject="Hello", body="From the worker", to=["a@example.org"])
        assert len(mail.outbox) == 0
        call_command("db_worker", "--batch", "--no-startup-delay")
        result.refresh()
        assert result.status == "SUCCESSFUL"
        assert len(mail.outbox) == 1 and mail.outbox[0].subject == "Hello"
