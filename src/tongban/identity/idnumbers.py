"""Identity numbers: the 18-character resident ID family (GB 11643) and the USCC (GB 32100).

Pure functions, no database. python-stdnum does the checksums and, for mainland resident IDs,
the birth-date and region checks (its region table knows which county codes were valid in which
year). Numbers that share the resident ID's format and checksum but not its region rule are
handled here: Hong Kong / Macao / Taiwan residents' residence permits (address code 810000,
820000, 830000) and the 2023 foreigners' permanent residence ID card (first digit 9, then the
issuing province, then the ISO 3166 numeric nationality code).
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent
from stdnum.exceptions import ValidationError as StdnumError

from tongban.core.validators import TextKind, text_problem


class IdKind(enum.StrEnum):
    """What kind of document a person is identified by."""

    RESIDENT_ID = "resident_id"
    HMT_PERMIT = "hmt_permit"
    FOREIGN_PERMANENT_ID = "foreign_permanent_id"
    PASSPORT = "passport"


class InvalidIdentifierError(ValueError):
    """An identifier failed validation; ``message`` is translatable and says what is wrong."""

    def __init__(self, message: object, code: str) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code


@dataclass(frozen=True)
class ResidentId:
    """A validated 18-character number of the resident ID family."""

    number: str
    kind: IdKind
    birth_date: date
    region_code: str


HMT_REGIONS = {"810000": "HK", "820000": "MO", "830000": "TW"}
_PROVINCES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
}
_USCC_AUTHORITIES = set("123456789ABCDEFGNY")
_PASSPORT_RE = re.compile(r"^[A-Z0-9]{5,20}$")


def normalise(value: str) -> str:
    """Fold full-width characters (NFKC), drop spaces and hyphens, upper-case."""
    folded = unicodedata.normalize("NFKC", value)
    return re.sub(r"[\s\-]", "", folded).upper()


def _check_family(number: str) -> date:
    if len(number) != 18:
        raise InvalidIdentifierError(_("An ID number has exactly 18 characters."), "length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdentifierError(_("An ID number has 17 digits followed by a digit or X."), "format")
    if ric.calc_check_digit(number) != number[17]:
        raise InvalidIdentifierError(
            _("This ID number's check character is wrong; please check for typing errors."), "checksum"
        )
    try:
        return ric.get_birth_date(number)
    except InvalidComponent:
        raise InvalidIdentifierError(
            _("The date of birth in this ID number is not a real date."), "birth_date"
        ) from None


def validate_resident_id(value: str, *, today: date | None = None) -> ResidentId:
    """Validate a number of the resident ID family and say which document it is."""
    number = normalise(value)
    birth = _check_family(number)
    if today is not None and birth > today:
        raise InvalidIdentifierError(_("The date of birth in this ID number is in the future."), "birth_date")
    if birth.year < 1880:
        raise InvalidIdentifierError(_("The date of birth in this ID number is not plausible."), "birth_date")
    region = number[:6]
    if region in HMT_REGIONS:
        return ResidentId(number, IdKind.HMT_PERMIT, birth, region)
    if number[0] == "9":
        if number[1:3] not in _PROVINCES:
            raise InvalidIdentifierError(
                _("The issuing province in this permanent residence ID is not valid."), "region"
            )
        return ResidentId(number, IdKind.FOREIGN_PERMANENT_ID, birth, number[1:3] + "0000")
    try:
        ric.validate(number)
    except InvalidChecksum:  # pragma: no cover - checked above
        raise InvalidIdentifierError(_("This ID number's check character is wrong."), "checksum") from None
    except StdnumError:
        raise InvalidIdentifierError(
            _("The region code in this ID number does not exist (or did not exist in the year of birth)."), "region"
        ) from None
    return ResidentId(number, IdKind.RESIDENT_ID, birth, region)


def foreign_permanent_id_nationality(number: str) -> str:
    """The ISO 3166 numeric nationality code embedded in a 2023 permanent residence ID."""
    return number[3:6]


def validate_uscc(value: str) -> str:
    """Validate a unified social credit code; returns the normalised code."""
    code = normalise(value)
    if len(code) != 18:
        raise InvalidIdentifierError(_("A unified social credit code has exactly 18 characters."), "length")
    if code[0] not in _USCC_AUTHORITIES or not code[1].isalnum():
        raise InvalidIdentifierError(
            _("The first two characters of this code are not a valid registration authority and type."), "format"
        )
    if not code[2:8].isdigit():
        raise InvalidIdentifierError(
            _("Characters 3 to 8 of a unified social credit code are the region code (digits)."), "format"
        )
    if any(char not in uscc._alphabet for char in code):
        raise InvalidIdentifierError(
            _("A unified social credit code uses digits and capital letters except I, O, S, V and Z."), "format"
        )
    if uscc.calc_check_digit(code) != code[17]:
        raise InvalidIdentifierError(
            _("This code's check character is wrong; please check for typing errors."), "checksum"
        )
    return code


def validate_passport_number(value: str) -> str:
    """A passport number: 5-20 Latin letters and digits, normalised to upper case."""
    number = normalise(value)
    if not _PASSPORT_RE.match(number):
        raise InvalidIdentifierError(_("A passport number has 5 to 20 Latin letters and digits."), "format")
    return number


def validate_latin_name(value: str) -> str:
    """A name in Latin script as printed in the passport's machine-readable zone."""
    name = " ".join(unicodedata.normalize("NFKC", value).split())
    if not name:
        raise InvalidIdentifierError(_("Enter the name as written in the passport, in Latin letters."), "required")
    if text_problem(name, TextKind.LATIN_NAME) is not None:  # the character policy (ADR 0027)
        raise InvalidIdentifierError(_("Write the name in Latin letters, as in the passport."), "script")
    return name


def region_name(region_code: str) -> str:
    """The province (and county) name of a mainland region code, or ''."""
    parts = numdb.get("cn/loc").info(region_code)
    info = {k: v for _part, props in parts for k, v in props.items()}
    return info.get("province", "")
