"""E-mails about an account: the link to choose a password (reset, a first password for an
account a clerk opened at the window, or for a new member of staff), and the notice that a staff
member's second factor was reset, and the one-time code a login to an account under attack needs.
Each is written in the account's language and sent by the
background worker after commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth.tokens import default_token_generator
from django.template import loader
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from tongban.core import bilingual
from tongban.core.tasks import enqueue_with_commit, send_email
from tongban.identity.models import Account, Agency, StaffRole, StaffRoleKind


def _language(account: Account) -> str:
    return account.preferred_language or "zh-hans"


def _enqueue(*, subject: str, body: str, to: str) -> None:
    enqueue_with_commit(send_email, subject=subject, body=body, to=[to])


def send_password_link(*, account: Account, public_base_url: str) -> None:
    """E-mail a one-hour, single-use link to choose a password, in the account's language."""
    if not account.email:
        return
    context = {
        "user": account,
        "uid": urlsafe_base64_encode(force_bytes(account.pk)),
        "token": default_token_generator.make_token(account),
        "public_base_url": public_base_url.rstrip("/"),
    }
    with translation.override(account.preferred_language):
        subject = "".join(loader.render_to_string("registration/password_reset_subject.txt", context).splitlines())
        body = loader.render_to_string("registration/password_reset_email.txt", context)
    _enqueue(subject=subject, body=body, to=account.email)


def password_link(*, account: Account, public_base_url: str) -> str:
    """The one-hour, single-use link to choose the account's password (Django's password-reset
    token, the portal's set-password page), in the account's language. Choosing a password, or a
    login, makes every earlier link void."""
    uid = urlsafe_base64_encode(force_bytes(account.pk))
    token = default_token_generator.make_token(account)
    with translation.override(_language(account)):
        path = reverse("portal:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return f"{public_base_url.rstrip('/')}{path}"


def _agency_name(agency: Agency) -> str:
    return bilingual.localized(agency, "name")


def _who(account: Account | None, *, operator: bool, agencies: Sequence[Agency]) -> str:
    """Who did it, for the e-mail: the name and the agency (or "city operator")."""
    if account is None:
        return _("The platform's operators (on the server's command line)")
    name = account.display_name or account.username
    if operator:
        where = str(StaffRoleKind.CITY_OPERATOR.label)
    elif agencies:
        where = bilingual.pick("、", ", ").join(_agency_name(a) for a in agencies)
    else:
        return name
    return _("%(name)s (%(where)s)") % {"name": name, "where": where}


def send_staff_welcome(
    *, account: Account, role: StaffRole, opened_by: Account | None, by_operator: bool, public_base_url: str
) -> None:
    """Tell a new member of staff their account exists, with the link to choose their password and
    what the first login asks (the authenticator app). Queued for after commit."""
    if not account.email:
        return
    link = password_link(account=account, public_base_url=public_base_url)
    with translation.override(_language(account)):
        login_url = f"{public_base_url.rstrip('/')}{reverse('portal:login')}"
        who = _who(opened_by, operator=by_operator, agencies=[role.agency] if role.agency else [])
        lines = [
            _("User name: %(username)s") % {"username": account.username},
            _("Role: %(role)s") % {"role": role.get_role_display()},
        ]
        if role.agency is not None:
            lines.append(_("Agency: %(agency)s") % {"agency": _agency_name(role.agency)})
        if role.office is not None:
            office = bilingual.localized(role.office, "name")
            lines.append(_("Office: %(office)s") % {"office": office})
        subject = _("Your staff account for the city's government services")
        body = "\n\n".join(
            [
                _("Hello %(name)s,") % {"name": account.display_name or account.username},
                _("%(who)s opened a staff account for you in the back office of the city's government services.")
                % {"who": who},
                "\n".join(lines),
                _("Open this link within one hour to choose your password:"),
                link,
                _(
                    "Then log in at %(url)s with your user name and the new password. The first login also "
                    "asks you to set up an authenticator app on your phone (two-step login); every later login "
                    "asks for its six-digit code."
                )
                % {"url": login_url},
                _(
                    "If the link has expired, choose “Forgot your password?” on the login page and give this "
                    "e-mail address: a new link is sent to it."
                ),
                _("If you did not expect this e-mail, do not open the link, and tell your agency administrator."),
            ]
        )
    _enqueue(subject=subject, body=body + "\n", to=account.email)


def send_totp_reset_notice(
    *,
    account: Account,
    reset_by: Account,
    by_operator: bool,
    agencies: Sequence[Agency],
    reason: str,
    at: datetime,
    public_base_url: str,
) -> None:
    """Tell a member of staff that their two-step login was reset, by whom and why, and give them
    the one-time link to choose a new password (the reset replaced it), after which they set up
    the authenticator again. Queued for after commit."""
    if not account.email:
        return
    link = password_link(account=account, public_base_url=public_base_url)
    with translation.override(_language(account)):
        forgot_url = f"{public_base_url.rstrip('/')}{reverse('portal:password_reset')}"
        subject = _("Your two-step login was reset")
        body = "\n\n".join(
            [
                _("Hello %(name)s,") % {"name": account.display_name or account.username},
                _(
                    "%(who)s reset the two-step login of your staff account %(username)s on %(when)s. The "
                    "authenticator app you used no longer gives codes for this account, and your password was "
                    "replaced, so that only you can log in again."
                )
                % {
                    "who": _who(reset_by, operator=by_operator, agencies=agencies),
                    "username": account.username,
                    "when": timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
                },
                _("Reason given: %(reason)s") % {"reason": reason},
                _(
                    "Choose a new password with this link (it works once, for one hour): %(link)s — then log in "
                    "and set up the authenticator app with the new QR code. If the link has expired, ask for a "
                    "new one at %(url)s."
                )
                % {"link": link, "url": forgot_url},
                _("If you did not ask for this, call your agency administrator."),
            ]
        )
    _enqueue(subject=subject, body=body + "\n", to=account.email)


def send_login_code(*, account: Account, code: str, minutes: int) -> None:
    """E-mail the one-time code a login to an account under attack needs from a new device, in the
    account's language. Queued for after commit."""
    with translation.override(_language(account)):
        subject = _("Your login code: %(code)s") % {"code": code}
        body = "\n\n".join(
            [
                _("Hello %(name)s,") % {"name": account.display_name or account.username},
                _(
                    "Many wrong passwords were tried for your account %(username)s recently, so a login from a "
                    "device you have not used before also needs this code:"
                )
                % {"username": account.username},
                code,
                _("It works once, for %(minutes)d minutes.") % {"minutes": minutes},
                _(
                    "If you did not just log in, someone knows your password: do not give them this code, and "
                    "choose a new password (“Forgot your password?” on the login page)."
                ),
            ]
        )
    _enqueue(subject=subject, body=body + "\n", to=account.email)
