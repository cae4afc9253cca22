"""Countries and regions: the one table every nationality or country field chooses from and
every page shows its names from (ADR 0035).

``core/data/countries.csv`` lists each ISO 3166-1 alpha-2 code Tongban accepts, its kind, its
official Chinese short name (the PRC Ministry of Foreign Affairs' list: 法国, 巴哈马, 瑙鲁,
刚果（布）), the pinyin it sorts by in Chinese, and its common English short name (France, Bahamas,
Nauru, South Korea, Vietnam). Kinds:

- ``state``: a sovereign state China lists; the only kind a foreigner's **nationality** can be.
- ``china``: CN. ``region``: Hong Kong, Macao and Taiwan, *regions of China* (中国香港 / "Hong
  Kong SAR, China"). Their residents are Chinese citizens who use their permits, not passports,
  so none of the four is a foreigner's nationality.
- ``territory``: an inhabited territory of another state (Bermuda, Cayman Islands, Puerto Rico):
  a **country or region** a firm or an investor may be registered in, never a nationality.

Uninhabited ISO codes (Antarctica, Bouvet Island …) are not in the table and are refused.

:func:`nationality_choices` and :func:`country_or_region_choices` give ``(code, name)`` pairs in
the display language, sorted by name: by pinyin in Chinese, alphabetically in English. The table
is small and read once per process.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from tongban.core import bilingual

Kind = Literal["state", "china", "region", "territory"]
Purpose = Literal["nationality", "country_or_region"]

DATA = Path(__file__).with_name("data") / "countries.csv"

#: Codes that are never a foreigner's nationality: China and its three regions.
CHINA_AND_REGIONS = frozenset({"CN", "HK", "MO", "TW"})


@dataclass(frozen=True)
class Country:
    """One row of the table; ``name_zh`` / ``name_en`` so ``core.bilingual.localized`` picks."""

    code: str
    kind: Kind
    name_zh: str
    pinyin: str
    name_en: str

    @property
    def is_nationality(self) -> bool:
        return self.kind == "state"

    def name(self, lang: str | None = None) -> str:
        """The short name in ``lang`` (default the active language)."""
        return bilingual.localized(self, "name", lang)


@cache
def _table() -> dict[str, Country]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        row["code"]: Country(row["code"], row["kind"], row["name_zh"], row["pinyin"], row["name_en"])  # type: ignore[arg-type]
        for row in rows
    }


def all_countries() -> list[Country]:
    """Every row, in the file's order."""
    return list(_table().values())


def country(code: object) -> Country | None:
    """The row for an alpha-2 code (any case, surrounding space ignored), or None."""
    if not isinstance(code, str):
        code = "" if code is None else str(code)
    return _table().get(code.strip().upper())


def country_name(code: object, lang: str | None = None) -> str:
    """The name of ``code`` in ``lang`` (default the active language); an unknown code is shown
    as given, an empty one as ""."""
    found = country(code)
    if found is None:
        return "" if code is None else str(code)
    return found.name(lang)


def is_nationality(code: object) -> bool:
    """True for a code a foreigner's nationality may be (a state other than China)."""
    found = country(code)
    return found is not None and found.is_nationality


def is_country_or_region(code: object) -> bool:
    """True for any code in the table (China, its regions, states and territories)."""
    return country(code) is not None


def _sort_key(item: Country, lang: str) -> tuple[str, ...]:
    if lang == "en":
        folded = unicodedata.normalize("NFKD", item.name_en).encode("ascii", "ignore").decode().casefold()
        return (folded, item.code)
    return (item.pinyin, item.name_zh)


def choices(purpose: Purpose, lang: str | None = None) -> list[tuple[str, str]]:
    """``(code, name)`` for ``purpose`` in ``lang`` (default the active language), sorted by name."""
    return list(_choices(purpose, bilingual.language(lang)))


@cache
def _choices(purpose: Purpose, language: str) -> tuple[tuple[str, str], ...]:
    rows = [item for item in _table().values() if item.is_nationality or purpose == "country_or_region"]
    return tuple((item.code, item.name(language)) for item in sorted(rows, key=lambda item: _sort_key(item, language)))


def allows(purpose: Purpose, code: object) -> bool:
    """True if ``code`` may be chosen for ``purpose``."""
    return is_nationality(code) if purpose == "nationality" else is_country_or_region(code)


def nationality_choices(lang: str | None = None) -> list[tuple[str, str]]:
    """The states a foreigner may be a national of: no CN, HK, MO or TW; no territories."""
    return choices("nationality", lang)


def country_or_region_choices(lang: str | None = None) -> list[tuple[str, str]]:
    """Every country or region: China, Hong Kong, Macao and Taiwan as regions of China (中国香港 /
    "Hong Kong SAR, China"), states and inhabited territories."""
    return choices("country_or_region", lang)
