"""Notices written from template files, one pair per event type:
``notifications/templates/notifications/<event>/subject.txt`` and ``…/body.txt`` (plain text,
no HTML escaping), translated through gettext like every page — so a notice is rendered in the
recipient's language from the same files in both. Contexts add their own event folders under
their app's ``templates/notifications/``.

A template sees the context the sender passes (plain values: the case number, the service's
name already localised by a callable, lists of items) — never a model it would have to query.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from django.template import Context, Engine
from django.template.exceptions import TemplateDoesNotExist
from django.utils import translation

#: Values of a context that depend on the language (a service's name) are passed as callables
#: and called under the language being rendered.
Value = Any


@cache
def _engine() -> Engine:
    return Engine(
        app_dirs=True,
        autoescape=False,  # plain text: e-mail and SMS bodies are not HTML
        libraries={"i18n": "django.templatetags.i18n"},
    )


def exists(event: str) -> bool:
    try:
        _engine().get_template(f"notifications/{event}/subject.txt")
    except TemplateDoesNotExist:
        return False
    return True


def render(event: str, context: Mapping[str, Value], language: str) -> tuple[str, str]:
    """(subject, body) of ``event`` in ``language``: one line of subject, the body trimmed."""
    engine = _engine()
    with translation.override(language):
        values = {key: value() if callable(value) else value for key, value in context.items()}
        subject = engine.get_template(f"notifications/{event}/subject.txt").render(Context(values, autoescape=False))
        body = engine.get_template(f"notifications/{event}/body.txt").render(Context(values, autoescape=False))
    return " ".join(subject.split()), _tidy(body)


def renderer(event: str, context: Mapping[str, Value]) -> Callable[[], tuple[str, str]]:
    """A ``Render`` (subject, body in the active language) of ``event``."""
    return lambda: render(event, context, translation.get_language() or "zh-hans")


def _tidy(text: str) -> str:
    """The body without the blank lines template tags leave behind, and without trailing spaces."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out)
