"""The one table of countries and regions (core.countries, ADR 0035): official Chinese and common
English names, no country named "Naoero" or "Bahamas (The)", Hong Kong, Macao and Taiwan as
regions of China and never a nationality. Pure: no database."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from tongban.core import countries


def test_a_nationality_is_never_china_or_one_of_its_regions() -> None:
    for lang in ("zh", "en"):
        codes = [code for code, _name in countries.nationality_choices(lang)]
        assert not {"CN", "HK", "MO", "TW"} & set(codes)
        assert {"FR", "DE", "US", "GB", "BS", "NR", "KR", "KP", "VN", "LA"} <= set(codes)
        assert "BM" not in codes and "PR" not in codes  # territories are no nationality
        assert len(codes) == len(set(codes)) == 196  # the 192 other UN members, VA, PS, CK, NU


@pytest.mark.parametrize(
    ("code", "zh", "en"),
    [
        ("FR", "法国", "France"),
        ("US", "美国", "United States"),
        ("GB", "英国", "United Kingdom"),
        ("BS", "巴哈马", "Bahamas"),
        ("NR", "瑙鲁", "Nauru"),
        ("KR", "韩国", "South Korea"),
        ("KP", "朝鲜", "North Korea"),
        ("RU", "俄罗斯", "Russia"),
        ("VN", "越南", "Vietnam"),
        ("LA", "老挝", "Laos"),
        ("IR", "伊朗", "Iran"),
        ("CG", "刚果（布）", "Republic of the Congo"),
        ("CD", "刚果（金）", "Democratic Republic of the Congo"),
        ("DM", "多米尼克", "Dominica"),
        ("DO", "多米尼加", "Dominican Republic"),
        ("WS", "萨摩亚", "Samoa"),
        ("HK", "中国香港", "Hong Kong SAR, China"),
        ("MO", "中国澳门", "Macao SAR, China"),
        ("TW", "中国台湾", "Taiwan, China"),
        ("CN", "中国", "China"),
    ],
)
def test_names_are_the_official_chinese_and_the_common_english(code: str, zh: str, en: str) -> None:
    assert countries.country_name(code, "zh") == zh
    assert countries.country_name(code, "en") == en
    assert countries.country_name(code.lower(), "zh-hans") == zh


def test_no_formal_or_odd_names_anywhere() -> None:
    names = {name for lang in ("zh", "en") for _code, name in countries.country_or_region_choices(lang)}
    for odd in ("Naoero", "Bahamas (The)", "Hong Kong", "Taiwan", "Macao", "香港", "台湾", "澳门", "Viet Nam"):
        assert odd not in names, odd
    assert {"巴哈马", "瑙鲁", "Bahamas", "Nauru"} <= names


def test_the_country_or_region_list_shows_the_three_as_regions_of_china() -> None:
    english = dict(countries.country_or_region_choices("en"))
    chinese = dict(countries.country_or_region_choices("zh"))
    assert english["HK"] == "Hong Kong SAR, China" and chinese["HK"] == "中国香港"
    assert english["TW"] == "Taiwan, China" and chinese["TW"] == "中国台湾"
    assert english["CN"] == "China" and chinese["CN"] == "中国"
    assert english["KY"] == "Cayman Islands" and chinese["VG"] == "英属维尔京群岛"  # where investors register
    assert "AQ" not in english  # uninhabited: not a place anyone is from or registered in


def test_lists_are_sorted_by_the_name_people_read() -> None:
    english = [name for _code, name in countries.nationality_choices("en")]
    assert english[:3] == ["Afghanistan", "Albania", "Algeria"]
    assert english.index("Côte d'Ivoire") < english.index("Croatia")  # accents do not sort last
    chinese = [name for _code, name in countries.nationality_choices("zh")]
    # by pinyin: 阿尔巴尼亚 (aerbaniya) first, then 德国 (deguo), 法国 (faguo), 美国, 英国
    assert chinese[0] == "阿尔巴尼亚"
    assert chinese.index("德国") < chinese.index("法国") < chinese.index("美国") < chinese.index("英国")


def test_an_unknown_code_is_shown_as_given_and_refused() -> None:
    assert countries.country_name("XX", "en") == "XX" and countries.country_name(None) == ""
    assert not countries.is_nationality("XX") and not countries.is_nationality("HK")
    assert countries.is_country_or_region("HK") and countries.is_nationality("fr")


def test_the_template_filter_names_a_code_in_the_active_language() -> None:
    template = Template("{% load country_names %}{{ code|country_name }}")
    with translation.override("en"):
        assert template.render(Context({"code": "FR"})) == "France"
    with translation.override("zh-hans"):
        assert template.render(Context({"code": "HK"})) == "中国香港"
