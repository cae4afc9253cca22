"""In Chinese, every submission, filing and history step reads as a finished action (已提交,
已撤回, 已批准 …), never as a bare verb that reads like a command ("提交。您的办件编号为…")."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone, translation

from tests.world import World
from tongban.cases.models import CaseAction
from tongban.forms.services import application_start
from tongban.identity.models import Account

pytestmark = pytest.mark.django_db


def test_the_submission_message_reads_as_done(world: World, login_person: Callable[[Client, Account], None]) -> None:
    application = application_start(
        person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    world.fill(application)
    client = Client()
    assert world.hr.account is not None
    login_person(client, world.hr.account)
    response = client.post(f"/zh/applications/{application.public_id}/submit/", follow=True)
    html = response.content.decode()
    assert "已提交。您的办件编号为" in html
    history = html[html.index('<ol class="timeline">') :]
    assert "已提交" in history[: history.index("</ol>")]


@pytest.mark.parametrize("action", CaseAction.values)
def test_every_history_step_reads_as_done(action: str) -> None:
    with translation.override("zh-hans"):
        label = str(CaseAction(action).label)
    assert label.startswith("已"), label
