"""Template context shared by every page: city name, language links and ``<html lang>``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from tongban.core.bilingual import pick
from tongban.core.i18n import BCP47, language_links, url_prefix


def site(request: HttpRequest) -> dict[str, Any]:
    language = translation.get_language() or settings.LANGUAGE_CODE
    return {
        "html_lang": BCP47.get(language, language),
        "lang_prefix": url_prefix(language),
        "language_links": language_links(request),
        "city_name": pick(settings.CITY_NAME_ZH, settings.CITY_NAME_EN, language),
        "helpdesk_phone": settings.HELPDESK_PHONE,
    }
