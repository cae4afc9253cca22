"""Review pages: rating a decided case from My cases, the answer shown to the applicant and the
re-rating, the back-office queue (another agency's ticket is a 404), comments escaped, the public
satisfaction page (aggregates only, rows below the minimum hidden, comments never shown, query
count flat), the anonymous helpfulness answer; both languages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import AgencyFactory, PersonFactory, StaffRoleFactory
from tests.querycount import assert_queries_flat
from tests.reviews.conftest import served_ticket
from tests.world import World
from tongban.cases.models import Case
from tongban.identity.models import Account, Agency, ServiceCentre
from tongban.reviews.models import PageHelpfulness, Rectification, Review
from tongban.statistics.services import facts_catch_up

HOSTILE = "<script>alert(1)</script>"
_numbers = count(100)


def test_the_decided_case_invites_a_rating_and_the_form_records_it(
    client: Client, world: World, decided_case: Case, login_person: Callable[[Client, Account], None]
) -> None:
    login_person(client, world.hr.account)
    page = client.get(f"/en/my/cases/{decided_case.number}/")
    assert f"/en/my/cases/{decided_case.number}/rating/" in page.content.decode()
    form = client.get(f"/zh/my/cases/{decided_case.number}/rating/")
    assert "非常不满意" in form.content.decode()
    bad = client.post(f"/en/my/cases/{decided_case.number}/rating/", {"level": "9", "comment": "kept"})
    assert bad.status_code == 400 and "kept" in bad.content.decode()  # nothing typed is lost
    response = client.post(
        f"/en/my/cases/{decided_case.number}/rating/",
        {"action": "rate", "level": "1", "reasons": ["slow"], "comment": HOSTILE},
    )
    assert response.status_code == 302
    review = Review.objects.get(case=decided_case)
    assert review.level == 1 and review.comment == HOSTILE
    shown = client.get(f"/en/my/cases/{decided_case.number}/rating/").content.decode()
    assert HOSTILE not in shown and "&lt;script&gt;" in shown


def test_another_persons_case_cannot_be_rated(
    client: Client, decided_case: Case, login_person: Callable[[Client, Account], None]
) -> None:
    login_person(client, PersonFactory().account)
    assert client.get(f"/en/my/cases/{decided_case.number}/rating/").status_code == 404
    assert client.post(f"/en/my/cases/{decided_case.number}/rating/", {"level": "5"}).status_code == 404
    assert not Review.objects.exists()


def test_the_agency_answers_in_the_back_office_and_the_applicant_sees_it_and_rerates(
    client: Client,
    world: World,
    decided_case: Case,
    login_person: Callable[[Client, Account], None],
    login_staff: Callable[[Client, Account], None],
) -> None:
    login_person(client, world.hr.account)
    client.post(f"/en/my/cases/{decided_case.number}/rating/", {"level": "1", "comment": HOSTILE})
    ticket = Rectification.objects.get()
    office = Client()
    login_staff(office, world.supervisor.account)
    queue = office.get("/en/backoffice/rectifications/").content.decode()
    assert f"/en/backoffice/rectifications/{ticket.pk}/" in queue
    detail = office.get(f"/zh/backoffice/rectifications/{ticket.pk}/").content.decode()
    assert HOSTILE not in detail and "&lt;script&gt;" in detail
    assert office.post(f"/en/backoffice/rectifications/{ticket.pk}/", {"action": "answer"}).status_code == 400
    done = office.post(f"/en/backoffice/rectifications/{ticket.pk}/", {"action": "answer", "answer": "Fixed it."})
    assert done.status_code == 302
    mine = client.get("/en/my/ratings/").content.decode()
    assert "Fixed it." in mine
    client.post(f"/en/my/cases/{decided_case.number}/rating/", {"action": "rerate", "level": "4"})
    review = Review.objects.get()
    assert (review.level, review.rerated_level) == (1, 4)


def test_another_agencys_ticket_is_not_found(
    client: Client, world: World, decided_case: Case, login_staff: Callable[[Client, Account], None]
) -> None:
    from tongban.core.actors import Actor
    from tongban.reviews.services import review_submit

    review = review_submit(
        account=world.hr.account,
        target=decided_case,
        level=2,
        reasons=[],
        comment="",
        actor=Actor.system("t"),
        now=timezone.now(),
    )
    stranger = StaffRoleFactory.create(supervisor=True)
    login_staff(client, stranger.account)
    url = f"/en/backoffice/rectifications/{review.rectification.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "answer", "answer": "x"}).status_code == 404
    assert (
        f"rectifications/{review.rectification.pk}/"
        not in client.get("/en/backoffice/rectifications/").content.decode()
    )


def _reviews(*, agency: Agency, centre: ServiceCentre, levels: list[int], comment: str = "") -> None:
    for level in levels:
        person = PersonFactory.create()
        ticket = served_ticket(centre=centre, person=person, number=next(_numbers))
        Review.objects.create(
            channel="ticket",
            ticket=ticket,
            person=person,
            account=person.account,
            agency=agency,
            centre=centre,
            level=level,
            comment=comment,
            created_at=timezone.now() - timedelta(days=level),
        )
    facts_catch_up(now=timezone.now())  # the public figures are read from the statistics facts


def test_public_satisfaction_shows_aggregates_above_the_minimum_only(
    client: Client, centre: ServiceCentre, settings: Any
) -> None:
    settings.REVIEW_MIN_PUBLIC_COUNT = 5
    shown, hidden = AgencyFactory.create(name_en="Shown Bureau"), AgencyFactory.create(name_en="Hidden Bureau")
    _reviews(agency=shown, centre=centre, levels=[5, 5, 4, 2, 1], comment="SECRET-COMMENT")
    _reviews(agency=hidden, centre=centre, levels=[5, 5], comment="SECRET-COMMENT")
    page = client.get("/en/satisfaction/").content.decode()
    assert "Shown Bureau" in page and "Hidden Bureau" not in page
    assert "60 %" in page  # 3 of 5 satisfied
    assert "SECRET-COMMENT" not in page
    assert centre.name_en in page  # 7 ratings at the centre
    zh = client.get("/zh/satisfaction/").content.decode()
    assert "政务服务满意度" in zh and "SECRET-COMMENT" not in zh


def test_public_satisfaction_query_count_is_flat(client: Client, centre: ServiceCentre, settings: Any) -> None:
    settings.REVIEW_MIN_PUBLIC_COUNT = 1
    _reviews(agency=AgencyFactory.create(), centre=centre, levels=[5, 3])

    def more() -> None:
        for _ in range(3):
            _reviews(agency=AgencyFactory.create(), centre=centre, levels=[4, 2, 1])

    assert_queries_flat(client, "/en/satisfaction/", more, at_most=12)


@pytest.mark.django_db
def test_page_helpfulness_is_anonymous_and_rate_limited(client: Client, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reviews.helpfulness": (2, 3600)}
    guide = client.get("/en/guide/").content.decode()
    for _ in range(3):
        response = client.post("/en/helpful/", {"path": "/en/guide/", "helpful": "yes"}, REMOTE_ADDR="203.0.113.9")
        assert response.status_code == 302 and response["Location"] == "/en/guide/#helpful"
    assert PageHelpfulness.objects.count() == 2  # the third was over the limit
    row = PageHelpfulness.objects.first()
    assert row is not None and (row.path, row.helpful) == ("/en/guide/", True)
    assert client.post("/en/helpful/", {"path": "//evil.example/", "helpful": "yes"}).status_code == 404
    assert guide  # the guide index renders


@pytest.mark.django_db
def test_a_guide_page_asks_whether_it_helped(client: Client) -> None:
    from tongban.portal import content

    part = content.GUIDE[0].slug
    assert "/en/helpful/" in client.get(f"/en/guide/{part}/").content.decode()
    assert "本页对您有帮助吗" in client.get(f"/zh/guide/{part}/").content.decode()


def test_the_case_and_rating_pages_read_the_rating_with_the_case(
    client: Client, world: World, decided_case: Case, login_person: Callable[[Client, Account], None]
) -> None:
    """The applicant's case page reads the case's certificates and rating, and the rating page the
    rating and its rectification ticket, as static reads sent with the case's own (one round trip
    on PostgreSQL, ``core.db.select_batch``), not as ORM queries after it."""
    login_person(client, world.hr.account)
    client.post(f"/en/my/cases/{decided_case.number}/rating/", {"level": "1", "reasons": ["slow"], "comment": "x"})
    assert Rectification.objects.filter(review__case=decided_case).exists()
    for url, shows in (
        (f"/en/my/cases/{decided_case.number}/", "See or change your rating"),
        (f"/en/my/cases/{decided_case.number}/rating/", "slow"),
    ):
        client.get(url)  # warm what is read once per process or session
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        assert page.status_code == 200 and shows in page.content.decode()
        touching = [
            q["sql"]
            for q in queries.captured_queries
            if any(
                f'"{table}"' in q["sql"]
                for table in ("reviews_review", "reviews_rectification", "certificates_certificate")
            )
        ]
        assert touching and all(sql.startswith("SELECT t.") for sql in touching), touching
        assert not any('"reviews_rectification"' in sql for sql in touching) or url.endswith("/rating/")
