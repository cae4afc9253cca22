"""New staff accounts: agency administrators and city operators add a member of staff in the back
office, ``manage.py staff_create`` opens the first city operator's account; either way the new
member of staff chooses their own password through an e-mailed one-time link and enrols an
authenticator at the first login. Also: a staff member is e-mailed when their second factor is
reset."""

from __future__ import annotations

import re
from collections.abc import Callable
from io import StringIO
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import current_totp
from tests.factories import AccountFactory, AgencyFactory, AgencyOfficeFactory, StaffRoleFactory
from tongban.audit.models import AuditEvent
from tongban.core.actors import Actor
from tongban.core.clock import now
from tongban.core.errors import PermissionDeniedError
from tongban.identity.models import Account, Agency, StaffRole, StaffRoleKind
from tongban.identity.services import staff_member_add

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]
Capture = Callable[..., Any]  # django_capture_on_commit_callbacks
NEW_PASSWORD = "Harbour-Lantern-2026!"
LINK_RE = re.compile(r"https?://\S+/password-reset/\S+/")


def add_url(agency: Agency) -> str:
    return f"/en/backoffice/agencies/{agency.code}/staff/new/"


def new_member(**fields: object) -> dict[str, object]:
    """The "Add a staff member" form as posted (its fields carry the prefix "new-")."""
    data = {
        "username": "li.na",
        "display_name": "李娜",
        "email": "li.na@hrss.example",
        "preferred_language": "zh-hans",
        "role": "officer",
        "office": "",
    } | fields
    return {f"new-{name}": value for name, value in data.items()}


def link_in(body: str) -> str:
    match = LINK_RE.search(body)
    assert match, body
    return match.group(0)


def choose_password_and_enrol(link: str) -> Client:
    """Follow the link as the new member of staff would: choose a password, log in, and find the
    login sends them to set up an authenticator app first (no way round it); enrol one."""
    path = urlsplit(link).path
    browser = Client()
    response = browser.get(path)
    assert response.status_code == 302  # Django moves the token out of the URL into the session
    form_url = response["Location"]
    assert 'name="new_password1"' in browser.get(form_url).content.decode()
    response = browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"].endswith("/password-reset/complete/")
    # The link worked once; it is void now.
    assert 'name="new_password1"' not in Client().get(path, follow=True).content.decode()

    account_id = int(AuditEvent.objects.filter(action="identity.password_reset").latest("id").object_id)
    account = Account.objects.get(pk=account_id)
    assert not TOTPDevice.objects.filter(user=account).exists()
    response = browser.post("/en/login/", {"username": account.username, "password": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/en/login/authenticator/"
    assert browser.get("/en/backoffice/").status_code == 302  # not in yet
    assert "<svg" in browser.get("/en/login/authenticator/").content.decode()
    device = TOTPDevice.objects.get(user=account, confirmed=False)
    response = browser.post("/en/login/authenticator/", {"token": current_totp(device)})
    assert response.status_code == 302 and response["Location"] == "/en/backoffice/"
    assert browser.get("/en/backoffice/").status_code == 200
    return browser


def test_agency_admin_adds_an_officer_who_chooses_a_password_and_enrols(
    client: Client, login_staff: Login, django_capture_on_commit_callbacks: Capture
) -> None:
    admin = StaffRoleFactory(agency_admin=True, account__display_name="Zhou Min")
    office = AgencyOfficeFactory(agency=admin.agency, district=True)
    login_staff(client, admin.account)
    page = client.get(f"/en/backoffice/agencies/{admin.agency.code}/").content.decode()
    assert "Add a staff member" in page and f'action="{add_url(admin.agency)}"' in page
    assert 'id="id_new-username"' in page and 'id="id_username"' in page  # beside "Grant a role"
    # the office: required for officers, so not marked optional; offered by its name in the page's language
    assert "Office (required for officers)</label>" in page
    assert f">{office.name_en}</option>" in page
    chinese = client.get(f"/zh/backoffice/agencies/{admin.agency.code}/").content.decode()
    assert "所属机构（审批人员必填）</label>" in chinese and f">{office.name_zh}</option>" in chinese

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(add_url(admin.agency), new_member(office=office.pk))
    assert response.status_code == 302 and response["Location"] == f"/en/backoffice/agencies/{admin.agency.code}/"
    assert (
        "a link to choose the password was sent to li.na@hrss.example"
        in client.get(response["Location"]).content.decode()
    )

    account = Account.objects.get(username="li.na")
    assert (account.display_name, account.email, account.preferred_language) == (
        "李娜",
        "li.na@hrss.example",
        "zh-hans",
    )
    # Nobody knows the password: random, never shown, not what anyone typed.
    assert account.password and not account.check_password("") and not account.check_password("li.na")
    [role] = StaffRole.objects.filter(account=account)
    assert (role.role, role.agency, role.office, role.revoked_at) == ("officer", admin.agency, office, None)

    created = AuditEvent.objects.get(action="identity.staff_account_created")
    granted = AuditEvent.objects.get(action="identity.staff_role_granted")
    for event in (created, granted):
        assert event.actor_id == admin.account.pk
    assert created.object_id == str(account.pk) and created.data["username"] == "li.na"
    assert granted.object_id == str(role.pk)
    assert granted.data == {
        "account": account.pk,
        "role": "officer",
        "agency": admin.agency.code,
        "service_centre": "",
        "office": office.pk,
    }

    [message] = mail.outbox
    assert message.to == ["li.na@hrss.example"]
    assert message.subject == "您的城市政务服务工作人员账户"  # in the new member's language (default Chinese)
    body = message.body
    assert "Zhou Min（" in body and admin.agency.name_zh in body and office.name_zh in body
    assert "li.na" in body and "审批人员" in body and "身份验证器" in body
    link = link_in(body)
    assert link.startswith(f"{settings.PUBLIC_BASE_URL.rstrip('/')}/zh/password-reset/")  # not the Host header

    choose_password_and_enrol(link)
    assert StaffRole.objects.filter(account=account, revoked_at__isnull=True).count() == 1


def test_an_expired_link_is_replaced_through_forgot_your_password(
    client: Client, login_staff: Login, django_capture_on_commit_callbacks: Capture
) -> None:
    """The password is random rather than unusable, so the ordinary "Forgot your password?" still
    sends a new link once the first one has expired (Django sends none to unusable passwords)."""
    operator = StaffRoleFactory(city_operator=True)
    agency = AgencyFactory()
    login_staff(client, operator.account)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(add_url(agency), new_member(role="supervisor", preferred_language="en"))
    assert response.status_code == 302
    [welcome] = mail.outbox
    assert welcome.subject == "Your staff account for the city's government services"
    assert f"{operator.account.display_name} (City operator)" in welcome.body and "Role: Supervisor" in welcome.body
    assert f"Agency: {agency.name_en}" in welcome.body and "/en/password-reset/" in link_in(welcome.body)
    assert StaffRole.objects.get(account__username="li.na").office is None

    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/en/password-reset/", {"email": "LI.NA@hrss.example"})
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["li.na@hrss.example"]
    choose_password_and_enrol(link_in(mail.outbox[1].body))


@pytest.mark.parametrize("kind", ["officer", "supervisor"])
def test_officers_and_supervisors_cannot_add_anyone(client: Client, login_staff: Login, kind: str) -> None:
    staff = StaffRoleFactory(**({"supervisor": True} if kind == "supervisor" else {}))
    office = AgencyOfficeFactory(agency=staff.agency)
    other = AgencyFactory()
    login_staff(client, staff.account)
    page = client.get(f"/en/backoffice/agencies/{staff.agency.code}/").content.decode()
    assert "Add a staff member" not in page and "/staff/new/" not in page
    for agency in (staff.agency, other):
        assert client.get(add_url(agency)).status_code == 403
        assert client.post(add_url(agency), new_member(office=office.pk)).status_code == 403
    assert client.post(add_url(staff.agency).replace("/en/", "/zh/"), new_member(office=office.pk)).status_code == 403
    assert client.post("/en/backoffice/agencies/no-such-agency/staff/new/", new_member()).status_code == 404
    with pytest.raises(PermissionDeniedError):
        staff_member_add(
            username="li.na",
            display_name="李娜",
            email="li.na@hrss.example",
            role="officer",
            agency=staff.agency,
            office=office,
            granted_by=staff.account,
            actor=Actor.system("tests"),
            now=now(),
        )
    assert not Account.objects.filter(username="li.na").exists()
    assert not AuditEvent.objects.filter(action="identity.staff_account_created").exists()
    assert mail.outbox == []


def test_an_agency_admin_adds_only_to_their_own_agency(
    client: Client, login_staff: Login, django_capture_on_commit_callbacks: Capture
) -> None:
    admin = StaffRoleFactory(agency_admin=True)
    other_office = AgencyOfficeFactory()  # of another agency
    login_staff(client, admin.account)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(add_url(other_office.agency)).status_code == 403
        assert client.post(add_url(other_office.agency), new_member(office=other_office.pk)).status_code == 403
        # Nor through their own agency's page with the other agency's office.
        response = client.post(add_url(admin.agency), new_member(office=other_office.pk))
    assert response.status_code == 200 and 'id="id_new-office_error"' in response.content.decode()
    for role in ("officer", "agency_admin", "city_operator"):
        with pytest.raises(PermissionDeniedError):
            staff_member_add(
                username="li.na",
                display_name="李娜",
                email="li.na@hrss.example",
                role=role,
                agency=other_office.agency if role != "city_operator" else None,
                office=other_office,
                granted_by=admin.account,
                actor=Actor.system("tests"),
                now=now(),
            )
    # Only officer, supervisor and agency administrator are offered; a city operator is not.
    html = client.get(add_url(admin.agency)).content.decode()
    assert 'value="agency_admin"' in html and 'value="city_operator"' not in html and 'value="clerk"' not in html
    assert not Account.objects.filter(username="li.na").exists() and mail.outbox == []


def test_a_taken_user_name_or_e_mail_is_refused_next_to_the_field_keeping_what_was_typed(
    client: Client, login_staff: Login, django_capture_on_commit_callbacks: Capture
) -> None:
    AccountFactory(username="li.na", email="someone@hrss.example")
    admin = StaffRoleFactory(agency_admin=True)
    office = AgencyOfficeFactory(agency=admin.agency)
    login_staff(client, admin.account)
    accounts = Account.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            add_url(admin.agency),
            new_member(username="Li.Na", display_name="李娜娜", email="SOMEONE@hrss.example", office=office.pk),
        )
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert '<div id="id_new-username_error"><p class="error-message">' in html and "This user name is taken" in html
    assert '<div id="id_new-email_error"><p class="error-message">' in html and "Another account already uses" in html
    assert 'value="Li.Na"' in html and 'value="李娜娜"' in html and 'value="SOMEONE@hrss.example"' in html
    assert f'<option value="{office.pk}" selected>' in html
    assert Account.objects.count() == accounts and mail.outbox == []
    assert not AuditEvent.objects.filter(action__startswith="identity.staff_").exists()

    # An officer needs an office; the form says so next to the field.
    response = client.post(add_url(admin.agency), new_member(username="wu.lei", email="wu.lei@hrss.example"))
    assert 'id="id_new-office_error"' in response.content.decode()
    assert not Account.objects.filter(username="wu.lei").exists()


def test_every_problem_of_a_new_member_is_named_in_one_round(client: Client, login_staff: Login) -> None:
    """An empty name, an empty language and a taken user name, with no office for an officer: all
    four come back together (the form leaves the empty fields to the service, which checks all)."""
    AccountFactory(username="li.na")
    admin = StaffRoleFactory(agency_admin=True)
    login_staff(client, admin.account)
    response = client.post(add_url(admin.agency), new_member(display_name="", preferred_language=""))
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    for name in ("username", "display_name", "preferred_language", "office"):
        assert f'id="id_new-{name}_error"' in html, name
    assert "This user name is taken" in html and "An officer works in one office" in html
    # The fields the service checks still say they are required, to assistive technology too.
    assert 'name="new-display_name"' in html and "(optional)" not in html.split('name="new-display_name"')[0][-400:]
    assert re.search(r'<input[^>]*name="new-display_name"[^>]*aria-required="true"', html)
    # An empty user name is named as empty, not as a badly formed one.
    response = client.post(add_url(admin.agency), new_member(username="", office=""))
    html = response.content.decode()
    assert 'id="id_new-username_error"' in html and "This field is required." in html
    assert not Account.objects.filter(display_name="").exists()


def test_staff_create_opens_the_first_city_operator_and_prints_a_working_link(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "staff_create",
            "--username",
            "Ops.Li",
            "--name",
            "李明",
            "--email",
            "li.ming@city.example",
            "--city-operator",
            stdout=out,
        )
    account = Account.objects.get(username="ops.li")
    [role] = StaffRole.objects.filter(account=account)
    assert (role.role, role.agency, role.service_centre) == (StaffRoleKind.CITY_OPERATOR, None, None)
    events = AuditEvent.objects.filter(action__in=["identity.staff_account_created", "identity.staff_role_granted"])
    assert [(event.actor_kind, event.actor_label, event.actor_id) for event in events] == [
        ("system", "manage.py staff_create", None)
    ] * 2
    printed = out.getvalue()
    assert "Created staff account ops.li (city operator)." in printed
    link = link_in(printed)
    assert link.startswith(f"{settings.PUBLIC_BASE_URL.rstrip('/')}/zh/password-reset/")
    [message] = mail.outbox  # the same link goes by e-mail too
    assert message.to == ["li.ming@city.example"] and "/zh/password-reset/" in link_in(message.body)
    assert "服务器命令行" in message.body and "城市运营管理员" in message.body

    browser = choose_password_and_enrol(link)
    assert browser.get("/en/backoffice/audit/").status_code == 200  # the operator's own page


def test_staff_create_in_an_agency_and_its_mistakes() -> None:
    office = AgencyOfficeFactory(district=True)
    agency = office.agency
    out = StringIO()
    base = ["staff_create", "--username", "wang.hong", "--name", "王红", "--email", "wang.hong@hrss.example"]
    with pytest.raises(CommandError, match="needs --role"):
        call_command(*base, "--agency", agency.code, stdout=out)
    with pytest.raises(CommandError, match="give --office"):
        call_command(*base, "--agency", agency.code, "--role", "officer", stdout=out)
    with pytest.raises(CommandError, match="No agency"):
        call_command(*base, "--agency", "nope", "--role", "supervisor", stdout=out)
    with pytest.raises(CommandError):
        call_command(*base, "--agency", agency.code, "--city-operator", stdout=out)
    assert not Account.objects.filter(username="wang.hong").exists()

    call_command(
        *base, "--agency", agency.code, "--role", "officer", "--office", str(office.pk), "--language", "en", stdout=out
    )
    role = StaffRole.objects.get(account__username="wang.hong")
    assert (role.role, role.agency, role.office) == ("officer", agency, office)
    assert "/en/password-reset/" in link_in(out.getvalue())

    AccountFactory(email="taken@hrss.example")
    with pytest.raises(CommandError, match=r"(?s)--username: This user name is taken.*--email: Another account"):
        call_command(*base[:-1], "taken@hrss.example", "--agency", agency.code, "--role", "supervisor", stdout=out)
    assert StaffRole.objects.filter(account__username="wang.hong").count() == 1


def test_a_reset_second_factor_is_e_mailed_to_the_staff_member(
    client: Client, login_staff: Login, django_capture_on_commit_callbacks: Capture
) -> None:
    admin = StaffRoleFactory(agency_admin=True, account__display_name="Zhou Min")
    officer = StaffRoleFactory(agency=admin.agency, account__preferred_language="en")
    TOTPDevice.objects.create(user=officer.account, name="phone", confirmed=True)
    login_staff(client, admin.account)
    url = f"/en/backoffice/agencies/{admin.agency.code}/staff/{officer.account.pk}/totp-reset/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Phone lost; called back on the office line"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [officer.account.email] and message.subject == "Your two-step login was reset"
    body = message.body
    assert f"Zhou Min ({admin.agency.name_en}) reset the two-step login of your staff account " in body
    assert officer.account.username in body and "Reason given: Phone lost; called back on the office line" in body
    assert "If you did not ask for this" in body and "/en/password-reset/" in body

    # A city operator's reset, to someone who reads Chinese.
    mail.outbox.clear()
    operator = StaffRoleFactory(city_operator=True, account__display_name="Chen Jie")
    TOTPDevice.objects.create(user=admin.account, name="phone", confirmed=True)
    operator_client = Client()
    login_staff(operator_client, operator.account)
    url = f"/en/backoffice/agencies/{admin.agency.code}/staff/{admin.account.pk}/totp-reset/"
    with django_capture_on_commit_callbacks(execute=True):
        assert operator_client.post(url, {"reason": "新手机"}).status_code == 302
    [message] = mail.outbox
    assert message.to == [admin.account.email] and message.subject == "您的两步验证登录已被重置"
    assert "Chen Jie（城市运营管理员）" in message.body and "新手机" in message.body

    # No e-mail for a refused reset, nor before the transaction commits.
    mail.outbox.clear()
    stranger = StaffRoleFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/en/backoffice/agencies/{stranger.agency.code}/staff/{stranger.account.pk}/totp-reset/", {"reason": "x"}
        )
    assert mail.outbox == []
