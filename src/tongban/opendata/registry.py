"""The registry of open datasets: what each one is (bilingual title, description, licence, how
often it changes, its fields) and the two functions that make it (its revision and its rows).

A dataset's *revision* is a short string that changes whenever its rows would: it must be cheap
(an indexed ``max(id)``, a counter, a watermark — never a scan of the rows), because every
download asks it first. The files are made from ``rows()`` once per revision (tongban.opendata.files)
and the revision is their ETag.

Datasets are registered at start-up (``OpenDataConfig.ready``): the catalogue's and the centres'
in :mod:`tongban.opendata.datasets`, the statistics' in :mod:`tongban.opendata.statistics_datasets`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Literal

#: A value in a row: what CSV writes as text and JSON keeps typed.
Value = str | int | float | bool | None
Row = Mapping[str, Value]
FieldType = Literal["string", "integer", "number", "boolean", "date"]

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,60}$")


class Frequency(Enum):
    """How often a dataset changes, as the EU's frequency vocabulary names it (DCAT-AP's
    ``dct:accrualPeriodicity``), with a bilingual label for the page."""

    CONTINUOUS = ("UPDATE_CONT", "随时更新", "Updated continuously")
    DAILY = ("DAILY", "每日", "Daily")
    WEEKLY = ("WEEKLY", "每周", "Weekly")
    MONTHLY = ("MONTHLY", "每月", "Monthly")
    IRREGULAR = ("IRREG", "不定期", "Irregularly")

    def __init__(self, code: str, label_zh: str, label_en: str) -> None:
        self.code = code
        self.label_zh = label_zh
        self.label_en = label_en

    @property
    def uri(self) -> str:
        return f"http://publications.europa.eu/resource/authority/frequency/{self.code}"


@dataclass(frozen=True)
class Licence:
    """The licence the data is published under."""

    id: str
    title_zh: str
    title_en: str
    url: str
    #: The licence in the EU licence vocabulary, which DCAT-AP validators and harvesters know.
    authority_uri: str


#: Creative Commons Attribution 4.0: anyone may copy, combine and reuse the data, also
#: commercially, naming the source; it is the licence the open-data portals and DCAT-AP know best
#: (ADR 0044).
CC_BY_4_0 = Licence(
    id="CC-BY-4.0",
    title_zh="知识共享署名 4.0 国际许可协议（CC BY 4.0）",
    title_en="Creative Commons Attribution 4.0 International (CC BY 4.0)",
    url="https://creativecommons.org/licenses/by/4.0/",
    authority_uri="http://publications.europa.eu/resource/authority/licence/CC_BY_4_0",
)


@dataclass(frozen=True)
class Field:
    """One column: its name (the CSV header, the JSON key), its type and what it means."""

    name: str
    type: FieldType
    description_zh: str
    description_en: str


@dataclass(frozen=True)
class Dataset:
    """One dataset. ``rows()`` yields one mapping per row with exactly the fields' names as keys;
    ``revision()`` changes whenever those rows would. ``large`` datasets are streamed to each
    download instead of kept whole in the cache."""

    id: str
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    frequency: Frequency
    fields: tuple[Field, ...]
    revision: Callable[[], str]
    rows: Callable[[], Iterable[Row]]
    keywords_zh: tuple[str, ...] = ()
    keywords_en: tuple[str, ...] = ()
    licence: Licence = CC_BY_4_0
    large: bool = False

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise ValueError(f"dataset id {self.id!r}: lower-case letters, digits and hyphens")
        names = [field.name for field in self.fields]
        if len(set(names)) != len(names):
            raise ValueError(f"dataset {self.id}: a field name appears twice")

    @property
    def field_names(self) -> list[str]:
        return [field.name for field in self.fields]


_DATASETS: dict[str, Dataset] = {}


def register(dataset: Dataset) -> Dataset:
    """Add ``dataset`` to the catalogue (once per id; registering the same id twice is a bug)."""
    if dataset.id in _DATASETS and _DATASETS[dataset.id] is not dataset:
        raise ValueError(f"dataset {dataset.id} is registered twice")
    _DATASETS[dataset.id] = dataset
    return dataset


def datasets() -> list[Dataset]:
    """Every registered dataset, in the order registered."""
    return list(_DATASETS.values())


def dataset(dataset_id: str) -> Dataset | None:
    return _DATASETS.get(dataset_id)
