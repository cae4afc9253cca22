"""Template filters shared by the front ends."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from django import template
from django.template.base import FilterExpression
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe

from tongban.core.masking import mask_identifier

register = template.Library()


@register.filter
def masked(value: str | None) -> str:
    """Show only the last four characters of an identity number."""
    return mask_identifier(value)


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes of a duration (rounded up)."""
    if not value:
        return 0
    return int(-(-value.total_seconds() // 60))


# --- {% memo %}: render a request-independent fragment once per process ------------------------

_MEMO: dict[tuple[object, ...], SafeString] = {}
_MEMO_LIMIT = 5000


class MemoNode(template.Node):
    """Renders its body once per (place in the template, active language, vary values) and reuses
    the HTML. Only for fragments that depend on nothing else: no user, no CSRF token, no path."""

    def __init__(self, nodelist: template.NodeList, vary: list[FilterExpression]) -> None:
        self.nodelist = nodelist
        self.vary = vary

    def render(self, context: template.Context) -> SafeString:
        key = (
            self.origin.name if self.origin else "",
            self.token.lineno if self.token else 0,
            translation.get_language(),
            *(value.resolve(context) for value in self.vary),
        )
        html = _MEMO.get(key)
        if html is None:
            html = mark_safe(self.nodelist.render(context))  # noqa: S308 - rendered by the template engine
            if len(_MEMO) < _MEMO_LIMIT:
                _MEMO[key] = html
        return html


@register.tag
def memo(parser: template.base.Parser, token: template.base.Token) -> MemoNode:
    """``{% memo [vary ...] %}...{% endmemo %}``"""
    vary = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, vary)


# --- {% url_with %}: {% url %} for list rows, reversed once per URL name and language ----------

_URL_PARTS: dict[tuple[str, str, str], tuple[str, str]] = {}
_PLACEHOLDER = "0tongbanarg0"
_SAFE = RFC3986_SUBDELIMS + "/~:@"  # what django.urls.reverse leaves unquoted


@register.simple_tag
def url_with(name: str, arg: object) -> str:
    """The URL named ``name`` with one string path argument (``<str:…>`` or ``<slug:…>``), like
    ``{% url name arg %}``; the pattern is reversed once per URL name, language and script prefix
    and the argument put in its place (quoted as ``reverse`` quotes it), so a table of twenty rows
    does not reverse twenty times."""
    key = (name, translation.get_language() or "", get_script_prefix())
    parts = _URL_PARTS.get(key)
    if parts is None:
        head, _, tail = reverse(name, args=[_PLACEHOLDER]).partition(_PLACEHOLDER)
        parts = _URL_PARTS[key] = (head, tail)
    return parts[0] + quote(str(arg), safe=_SAFE) + parts[1]
