"""Fetched exchange values as people read them: dates in the page's language, codes by the labels
the resource declares, booleans as yes/no, amounts grouped — never raw ISO strings or codes."""

from __future__ import annotations

import pytest
from django.utils import translation

from tongban.exchange.display import value_for_people
from tongban.exchange.models import DataResource

RESOURCE = DataResource(
    code="business.record",
    name_zh="企业登记信息",
    name_en="Business registration record",
    fields=[
        {
            "name": "status",
            "label": {"zh": "经营状态", "en": "Status"},
            "values": {"operating": {"zh": "存续（在营）", "en": "Operating"}},
        },
        {"name": "established_on", "label": {"zh": "成立日期", "en": "Established on"}},
    ],
)


@pytest.mark.parametrize(
    ("language", "name", "value", "shown"),
    [
        ("en", "status", "operating", "Operating"),
        ("zh-hans", "status", "operating", "存续（在营）"),
        ("en", "established_on", "2016-05-18", "May 18, 2016"),
        ("zh-hans", "established_on", "2016-05-18", "2016年5月18日"),
        ("en", "valid_until", "2028-01-31T16:00:00+00:00", "Feb. 1, 2028"),  # midnight in Shanghai: a date
        ("zh-hans", "valid_until", "2028-01-31T16:30:00+00:00", "2028年2月1日 00:30"),
        ("en", "registered_capital_yuan", 50_000_000, "50,000,000"),
        ("en", "year", 2025, "2025"),
        ("en", "insured", True, "Yes"),
        ("zh-hans", "insured", False, "否"),
        ("en", "status", "unknown-code", "unknown-code"),  # an undeclared code: as given
        ("en", "missing", None, ""),
        ("en", "nationality", "FR", "France"),  # a country code: by its name
        ("zh-hans", "nationality", "FR", "法国"),
        ("en", "country_or_region", "HK", "Hong Kong SAR, China"),
    ],
)
def test_values_are_formatted_for_people(language: str, name: str, value: object, shown: str) -> None:
    with translation.override(language):
        lang = "en" if language == "en" else "zh"
        assert value_for_people(RESOURCE, name, value, lang) == shown
