"""Background tasks of the shared kernel (run by the django-tasks worker), and how services
enqueue work so that it is neither run for a write that rolled back nor lost for one that
committed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django_tasks import task
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend


def enqueue_with_commit(work: Task[Any, Any], /, **kwargs: Any) -> None:
    """Enqueue ``work`` for the caller's transaction: it runs only if that commits, and once it has
    committed the task cannot be lost.

    With the database backend (the default) the task's row is INSERTed in the caller's
    transaction — a transactional outbox: it commits or rolls back with the rows it is about, the
    worker cannot see it before the commit, and a crash between the commit and an after-commit
    hook cannot drop it. It also saves the write path a second transaction and its durable commit.
    Other backends (RQ in Redis) cannot join the database transaction; they enqueue after commit."""
    if isinstance(work.get_backend(), DatabaseBackend):
        work.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: work.enqueue(**kwargs))


@task()
def send_email(*, subject: str, body: str, to: list[str]) -> int:
    """Send one plain-text e-mail through Django's configured e-mail backend."""
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)
