"""Language prefixes in URLs: ``/zh/`` and ``/en/``, with ``/zh-hans/`` redirecting to ``/zh/``.

Django's ``i18n_patterns`` would use the language code itself (``/zh-hans/``) as the prefix.
People type and share ``/zh/``, so the prefix is mapped here, in one table, and every link,
redirect and language switch goes through it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.urls import URLResolver, is_valid_path
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation

#: Django language code -> URL prefix.
URL_PREFIXES: dict[str, str] = {"zh-hans": "zh", "en": "en"}
#: Django language code -> BCP 47 tag for ``<html lang>`` and ``hreflang``.
BCP47: dict[str, str] = {"zh-hans": "zh-Hans", "en": "en"}
_PREFIX_TO_CODE = {prefix: code for code, prefix in URL_PREFIXES.items()}
_ALIASES = {"zh-hans": "zh", "zh-cn": "zh", "zh_hans": "zh"}


def url_prefix(language_code: str | None = None) -> str:
    """The URL prefix (without slashes) for a language, default the active one."""
    code = (language_code or translation.get_language() or settings.LANGUAGE_CODE).lower()
    return URL_PREFIXES.get(code, URL_PREFIXES[settings.LANGUAGE_CODE])


def split_prefix(path: str) -> tuple[str | None, str]:
    """``/en/my/`` -> (``en``, ``/my/``); a path without a known prefix -> (None, path)."""
    parts = path.split("/", 2)
    if len(parts) >= 2 and parts[1] in _PREFIX_TO_CODE:
        rest = "/" + parts[2] if len(parts) == 3 else "/"
        return _PREFIX_TO_CODE[parts[1]], rest
    return None, path


def translate_path(path: str, language_code: str) -> str:
    """The same page in another language: swap (or add) the language prefix."""
    _, rest = split_prefix(path)
    return f"/{url_prefix(language_code)}{rest}"


class ShortLocalePrefixPattern(LocalePrefixPattern):
    """A locale prefix that uses ``URL_PREFIXES`` instead of the raw language code."""

    @property
    def language_prefix(self) -> str:
        return f"{url_prefix()}/"


def i18n_urlpatterns(*urls: Any) -> list[URLResolver]:
    """Like ``django.conf.urls.i18n.i18n_patterns`` with the short prefixes."""
    return [URLResolver(ShortLocalePrefixPattern(prefix_default_language=True), list(urls))]


class LanguagePrefixMiddleware:
    """Send people to the prefixed URL: ``/`` and unprefixed pages by their browser's language,
    ``/zh-hans/...`` (Django's own spelling) permanently to ``/zh/...``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        first = path.split("/", 2)[1].lower() if path.count("/") >= 1 else ""
        if first in _ALIASES and first != "zh":
            rest = path.split("/", 2)[2] if path.count("/") >= 2 else ""
            return HttpResponsePermanentRedirect(self._with_query(request, f"/zh/{rest}"))
        response = self.get_response(request)
        unresolved = getattr(request, "resolver_match", None) is None
        if response.status_code == 404 and unresolved and split_prefix(path)[0] is None:
            language = translation.get_language_from_request(request, check_path=False)
            candidate = translate_path(path, language)
            urlconf = getattr(request, "urlconf", None)
            if is_valid_path(candidate, urlconf) or (
                not candidate.endswith("/") and is_valid_path(candidate + "/", urlconf)
            ):
                redirect = HttpResponseRedirect(self._with_query(request, candidate))
                redirect["Vary"] = "Accept-Language, Cookie"
                return redirect
        return response

    @staticmethod
    def _with_query(request: HttpRequest, path: str) -> str:
        query = request.META.get("QUERY_STRING", "")
        return f"{path}?{query}" if query else path


def language_links(request: HttpRequest) -> Sequence[dict[str, str | bool]]:
    """Links to the current page in every language, for the language switch."""
    current = translation.get_language()
    full_path = request.get_full_path()
    links: list[dict[str, str | bool]] = []
    for code, name in settings.LANGUAGES:
        links.append(
            {
                "code": code,
                "name": name,
                "bcp47": BCP47.get(code, code),
                "url": translate_path(full_path, code),
                "current": code == current,
            }
        )
    return links
