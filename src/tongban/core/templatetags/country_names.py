"""Template filter for country and region codes: ``{% load country_names %}{{ code|country_name }}``.

Shows the name of an ISO 3166-1 alpha-2 code in the active language from ``core.countries``
(法国 / France; 中国香港 / Hong Kong SAR, China); an unknown code is shown as given. The result is
a plain string, so autoescaping applies.
"""

from __future__ import annotations

from django import template

from tongban.core import countries

register = template.Library()


@register.filter
def country_name(code: object) -> str:
    """The name of ``code`` in the active language (see core.countries)."""
    return countries.country_name(code)
