"""Portal forms. They check shape and required fields; services check the rules."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.template import loader
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongban.core import countries
from tongban.core.clock import now
from tongban.core.deadlines import local_date
from tongban.core.forms import FirstRadioSelect, TongbanForm, totp_code_field
from tongban.core.tasks import enqueue_with_commit, send_email
from tongban.exchange.models import Grant
from tongban.identity.models import IdType, ServiceArea
from tongban.identity.services import account_password_set, registration_check


class LoginForm(TongbanForm):
    username = forms.CharField(
        label=_("User name"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password"), max_length=256, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class TotpForm(TongbanForm):
    token = totp_code_field()


class LoginCodeForm(TongbanForm):
    code = forms.RegexField(
        label=_("Code from the e-mail"),
        regex=r"^\s*\d{6}\s*$",
        max_length=10,
        error_messages={"invalid": _("Enter the 6-digit code.")},
        help_text=_("The 6-digit number we have just e-mailed to the address on your account."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class NationalityField(forms.ChoiceField):
    """A foreigner's nationality from ``core.countries.nationality_choices`` in the page's
    language. CN, HK, MO and TW are not offered; posted anyway, they pass to the identity service,
    which says why a Chinese citizen does not register with a passport (a bare "not one of the
    choices" would not)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=_nationality_choices, **kwargs)

    def valid_value(self, value: Any) -> bool:
        return str(value) in countries.CHINA_AND_REGIONS or super().valid_value(value)


def _nationality_choices() -> list[tuple[str, str]]:
    return [("", gettext("Choose a country")), *countries.nationality_choices()]


class RegisterForm(TongbanForm):
    id_type = forms.ChoiceField(
        label=_("Identity document"),
        choices=[
            (
                IdType.RESIDENT_ID,
                _("Resident identity card, residence permit or permanent residence ID card (18 characters)"),
            ),
            (IdType.PASSPORT, _("Foreign passport")),
        ],
        widget=FirstRadioSelect,
        initial=IdType.RESIDENT_ID,
    )
    id_number = forms.CharField(
        label=_("Document number"), max_length=32, help_text=_("As printed on the document. Spaces are ignored.")
    )
    nationality = NationalityField(label=_("Nationality (passport holders)"), required=False)
    name = forms.CharField(
        label=_("Full name"),
        max_length=100,
        required=False,
        help_text=_("As on the document. Passport holders may leave this empty or give a Chinese name."),
    )
    latin_name = forms.CharField(
        label=_("Name in Latin letters (passport holders)"),
        max_length=100,
        required=False,
        help_text=_("Exactly as in the passport, e.g. SCHMIDT Emma."),
    )
    username = forms.CharField(
        label=_("User name"),
        max_length=64,
        help_text=_("You log in with this. Letters, digits, dots, hyphens."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("For notices about your applications and for resetting your password."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common password."),
    )
    password_again = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        # The service's own checks now, not after the person fixed what this form found: every
        # problem is listed in one round (fields already reported are not checked again).
        reported = set(self.errors)
        if "id_type" in reported:  # what the document and the names need depends on its type
            reported |= {"id_number", "name", "latin_name"}
        errors, _cleaned = registration_check(
            **{name: str(data.get(name) or "") for name in _REGISTRATION_FIELDS}, skip=frozenset(reported)
        )
        for name, messages in errors.items():
            self.add_error(name if name in self.fields else None, messages)
        return data


_REGISTRATION_FIELDS = ("username", "password", "id_type", "id_number", "nationality", "name", "latin_name", "email")


class ProfileForm(TongbanForm):
    email = forms.EmailField(label=_("E-mail address"), required=False)
    phone = forms.RegexField(
        label=_("Mobile phone"),
        regex=r"^\+?[0-9 \-]{5,20}$",
        required=False,
        error_messages={"invalid": _("Enter a phone number using digits, spaces and an optional leading +.")},
    )
    preferred_language = forms.ChoiceField(label=_("Language for messages"), choices=settings.LANGUAGES)


class NotificationChoiceForm(TongbanForm):
    """Which outside channels carry the person's notices (the inbox in My space always does)."""

    email = forms.BooleanField(label=_("By e-mail"), required=False)
    sms = forms.BooleanField(label=_("By text message (SMS)"), required=False)

    def __init__(self, *args: Any, account_email: str, account_phone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account_email, self.account_phone = account_email, account_phone

    def clean_email(self) -> bool:
        wanted = bool(self.cleaned_data.get("email"))
        if wanted and not self.account_email:
            raise forms.ValidationError(_("Add an e-mail address to your contact details first."))
        return wanted

    def clean_sms(self) -> bool:
        wanted = bool(self.cleaned_data.get("sms"))
        if wanted and not self.account_phone:
            raise forms.ValidationError(_("Add a mobile phone number to your contact details first."))
        return wanted


class PowerGrantForm(TongbanForm):
    id_number = forms.CharField(label=_("Staff member's ID or passport number"), max_length=32)
    nationality = NationalityField(label=_("Nationality (passport holders only)"), required=False)
    area = forms.ChoiceField(label=_("Service area"), choices=ServiceArea.choices, widget=FirstRadioSelect)
    expires_on = forms.DateField(
        label=_("Valid until (inclusive)"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("At most three years from today."),
    )


class PowerRevokeForm(TongbanForm):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=200, required=False)


class TongbanPasswordResetForm(PasswordResetForm):
    """Sends the reset e-mail through the background worker, after the request commits."""

    def send_mail(  # noqa: PLR0917 - Django's signature
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        enqueue_with_commit(send_email, subject=subject, body=body, to=[to_email])


class TongbanSetPasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    """Sets the password through the identity service, so the change is in the audit trail."""

    actor: Any = None

    def save(self, commit: bool = True) -> Any:
        account_password_set(
            account=self.user, password=self.cleaned_data["new_password1"], actor=self.actor, reason="reset"
        )
        return self.user


# --- Consents (My data) ---------------------------------------------------------------------

CONSENT_MAX_YEARS = 5


def years_later(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class ConsentForm(TongbanForm):
    """Until when a consent holds: a day after today, at most five years from today."""

    expires_on = forms.DateField(
        label=_("Consent valid until (inclusive)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("A date within the next five years, for example 2030-12-31."),
        error_messages={"invalid": _("Enter a real date, for example 2030-12-31.")},
    )

    def clean_expires_on(self) -> date:
        day: date = self.cleaned_data["expires_on"]
        today = local_date(now())
        if day <= today:
            raise ValidationError(gettext("Choose a date in the future."))
        if day > years_later(today, CONSENT_MAX_YEARS):
            raise ValidationError(gettext("Choose a date at most five years from today."))
        return day


def consent_form(grant: Grant, data: Any = None) -> ConsentForm:
    """The consent form of one grant on the person's consents page (its own ids), valid a year by default."""
    default = years_later(local_date(now()), 1)
    return ConsentForm(data, auto_id=f"id_grant{grant.pk}_%s", initial={"expires_on": default})


class FirmConsentForm(ConsentForm):
    """Which agency may read which data about the firm, for which purpose (one approved grant), and until when."""

    grant = forms.TypedChoiceField(
        label=_("Agency, data and purpose"),
        coerce=int,
        widget=FirstRadioSelect,
        error_messages={
            "required": _("Choose the agency, data and purpose the firm consents to."),
            "invalid_choice": _(
                "This agency can no longer ask for the firm's data with consent. Choose one of those listed."
            ),
        },
    )
    field_order = ["grant", "expires_on"]

    def __init__(self, *args: Any, grants: list[Grant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grant"].choices = [(grant.pk, str(grant)) for grant in grants]  # type: ignore[attr-defined]
