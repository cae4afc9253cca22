"""A decided case shows its result (issue 19): the applicant's case page and the officer's link
the certificate it produced, with its download, to those who may see it; a firm's certificate
leads back to the firm's wallet, not the personal one."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.certificates.test_issuing import approve, with_certificate
from tests.factories import PowerFactory
from tests.world import World
from tongban.certificates.models import Certificate
from tongban.identity.models import Account

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]


def breadcrumbs(html: str) -> str:
    start = html.index('class="breadcrumbs"')
    return html[start : html.index("</nav>", start)]


def result_section(html: str) -> str:
    start = html.index('id="result-title"')
    return html[start : html.index("</section>", start)]


def test_the_decided_case_links_its_certificate_and_its_download(
    client: Client, world: World, login_person: Login, login_staff: Login
) -> None:
    with_certificate(world)
    case = approve(world, world.submitted_case())
    certificate = Certificate.objects.get(case_number=case.number)

    login_person(client, world.hr.account)  # the applicant, for the firm
    page = client.get(f"/en/my/cases/{case.number}/").content.decode()
    result = result_section(page)
    assert f'href="/en/my/certificates/{certificate.number}/"' in result and "Test Permit" in result
    assert f'href="/en/my/certificates/{certificate.number}/pdf/"' in result and "Valid" in result
    assert "办理结果" in client.get(f"/zh/my/cases/{case.number}/").content.decode()
    pdf = client.get(f"/en/my/certificates/{certificate.number}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # Reached from the firm's wallet, the certificate leads back there.
    detail = client.get(f"/en/my/certificates/{certificate.number}/").content.decode()
    crumbs = breadcrumbs(detail)
    assert f'href="/en/my/firms/{world.firm.uscc}/certificates/"' in crumbs
    assert 'href="/en/my/certificates/"' not in crumbs

    engineer = Client()  # the holder, concerned by the case: his own wallet
    login_person(engineer, world.engineer.account)
    page = engineer.get(f"/en/my/cases/{case.number}/").content.decode()
    assert f'href="/en/my/certificates/{certificate.number}/pdf/"' in result_section(page)
    detail = engineer.get(f"/en/my/certificates/{certificate.number}/").content.decode()
    assert 'href="/en/my/certificates/"' in breadcrumbs(detail)

    officer = Client()
    login_staff(officer, world.officer.account)
    page = officer.get(f"/en/backoffice/cases/{case.number}/").content.decode()
    assert f'href="/en/backoffice/certificates/{certificate.number}/"' in result_section(page)


def test_the_result_is_shown_only_to_who_may_see_the_certificate(
    client: Client, world: World, login_person: Login
) -> None:
    """The firm's legal representative sees the case and its certificate; once the HR manager's
    power is gone she sees neither."""
    with_certificate(world)
    case = approve(world, world.submitted_case())
    certificate = Certificate.objects.get(case_number=case.number)
    legal = Client()
    login_person(legal, world.firm.legal_representative.account)
    assert certificate.number in result_section(legal.get(f"/en/my/cases/{case.number}/").content.decode())
    colleague = PowerFactory(firm=world.firm, area="social_security").grantee
    login_person(client, colleague.account)
    assert client.get(f"/en/my/cases/{case.number}/").status_code == 404
