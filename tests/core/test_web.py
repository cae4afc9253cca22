"""``core.web.domain_errors``: a service's refusal goes onto the form (field by field) or into the
page's messages, exactly as the views showed it by hand; what the view does not name is not caught."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.test import RequestFactory

from tongban.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from tongban.core.forms import TongbanForm
from tongban.core.web import domain_errors, refusal_text


class NameForm(TongbanForm):
    name = forms.CharField(max_length=20)
    email = forms.EmailField(required=False)


class RenamingForm(NameForm):
    """A form that names a field otherwise than the service: its own mapping is used."""

    def add_service_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict") and "full_name" in error.error_dict:
            error.error_dict["name"] = error.error_dict.pop("full_name")
        super().add_service_error(error)


class PlainForm(forms.Form):
    """A form that is not a TongbanForm (as a ModelForm of the back office is not)."""

    name = forms.CharField(max_length=20)


def _request() -> HttpRequest:
    request = RequestFactory().post("/")
    request._messages = CookieStorage(request)
    return request


def _messages(request: HttpRequest) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in get_messages(request)]


def _valid(form_class: type[forms.Form], **data: Any) -> forms.Form:
    form = form_class({"name": "Li Lei", **data})
    assert form.is_valid()
    return form


def test_a_block_that_runs_through_is_done_and_shows_nothing() -> None:
    request = _request()
    form = _valid(NameForm)
    with domain_errors(request, form) as done:
        assert not done  # not yet: only once the block has run to its end
    assert done
    assert done.error is None
    assert form.errors == {}
    assert _messages(request) == []


def test_a_field_keyed_refusal_goes_to_its_fields_and_an_unknown_key_to_the_form() -> None:
    request = _request()
    form = _valid(NameForm)
    refusal = ValidationError({"name": ["This name is taken."], "district": ["Not in the city."]})
    with domain_errors(request, form) as done:
        raise refusal
    assert not done
    assert done.error is refusal
    assert form.errors["name"] == ["This name is taken."]
    assert form.non_field_errors() == ["Not in the city."]
    assert _messages(request) == []


def test_a_message_only_refusal_goes_to_the_form_errors() -> None:
    form = _valid(NameForm)
    with domain_errors(_request(), form) as done:
        raise ValidationError("Try again tomorrow.")
    assert not done
    assert form.non_field_errors() == ["Try again tomorrow."]


@pytest.mark.parametrize("error_class", [ConflictError, PermissionDeniedError])
def test_a_domain_error_goes_to_the_form_errors(error_class: type[ConflictError | PermissionDeniedError]) -> None:
    request = _request()
    form = _valid(NameForm)
    with domain_errors(request, form) as done:
        raise error_class("The case changed meanwhile.")
    assert not done
    assert isinstance(done.error, error_class)
    assert form.non_field_errors() == ["The case changed meanwhile."]
    assert _messages(request) == []


def test_the_forms_own_mapping_is_used() -> None:
    form = _valid(RenamingForm)
    with domain_errors(_request(), form):
        raise ValidationError({"full_name": ["Give the name as on the document."]})
    assert form.errors["name"] == ["Give the name as on the document."]


def test_a_plain_django_form_gets_the_same_mapping() -> None:
    form = _valid(PlainForm)
    with domain_errors(_request(), form):
        raise ValidationError({"name": ["Too short."], "other": ["Elsewhere."]})
    assert form.errors["name"] == ["Too short."]
    assert form.non_field_errors() == ["Elsewhere."]


def test_without_a_form_a_refusal_is_the_pages_error_message() -> None:
    request = _request()
    with domain_errors(request) as first:
        raise ValidationError({"reason": ["Give a reason."], "items": ["List the items."]})
    with domain_errors(request) as second:
        raise ConflictError("The case changed meanwhile.")
    with domain_errors(request) as third:
        raise PermissionDeniedError("Only the assigned officer acts on this case.")
    assert not (first or second or third)
    assert _messages(request) == [
        ("error", "Give a reason. List the items."),
        ("error", "The case changed meanwhile."),
        ("error", "Only the assigned officer acts on this case."),
    ]


def test_only_the_refusals_named_are_caught() -> None:
    request = _request()
    with pytest.raises(PermissionDeniedError), domain_errors(request, catch=(ConflictError,)):
        raise PermissionDeniedError("Not yours.")
    with pytest.raises(ValidationError), domain_errors(request, catch=(ConflictError, PermissionDeniedError)):
        raise ValidationError("Bad.")
    assert _messages(request) == []


@pytest.mark.parametrize("error", [NotFoundError("No such case."), ValueError("a bug")])
def test_not_found_and_other_exceptions_are_never_caught(error: Exception) -> None:
    request = _request()
    with pytest.raises(type(error)), domain_errors(request, _valid(NameForm)):
        raise error
    assert _messages(request) == []


def test_nested_a_refusal_left_out_inside_is_caught_outside() -> None:
    """As the back office's second-factor reset does: refused for the account, said as a message;
    a reason refused, said on the form."""
    request = _request()
    form = _valid(NameForm)
    with (
        domain_errors(request, catch=(PermissionDeniedError,)) as allowed,
        domain_errors(request, form, catch=(ValidationError,)) as done,
    ):
        raise PermissionDeniedError("Not for your own account.")
    assert not allowed and not done
    assert _messages(request) == [("error", "Not for your own account.")]
    assert form.errors == {}


def test_refusal_text() -> None:
    assert refusal_text(ValidationError(["One.", "Two."])) == "One. Two."
    assert refusal_text(ConflictError("Changed.")) == "Changed."
