"""Pure scoring against a points table: total, per-factor breakdown and the A/B/C category.

The foreigner's work permit (外国人来华工作许可) classifies applicants by points: category A from
85 points, B from 60 to 84, C below 60. The table itself is catalogue data; this module only does
the arithmetic, on plain values, with no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class OptionSpec:
    code: str
    label_zh: str
    label_en: str
    points: int


@dataclass(frozen=True)
class FactorSpec:
    code: str
    name_zh: str
    name_en: str
    options: Sequence[OptionSpec]


@dataclass(frozen=True)
class TableSpec:
    code: str
    factors: Sequence[FactorSpec]
    category_a_min: int = 85
    category_b_min: int = 60

    @property
    def maximum(self) -> int:
        return sum(max((option.points for option in factor.options), default=0) for factor in self.factors)


@dataclass(frozen=True)
class Line:
    factor: FactorSpec
    option: OptionSpec | None

    @property
    def points(self) -> int:
        return self.option.points if self.option else 0


@dataclass(frozen=True)
class Score:
    total: int
    category: str  # "A", "B" or "C"
    lines: tuple[Line, ...]
    complete: bool  # every factor answered


class UnknownOptionError(ValueError):
    """An answer names an option the table does not have."""


def score(table: TableSpec, answers: Mapping[str, str]) -> Score:
    """Score ``answers`` (factor code -> option code). Unanswered factors count 0 points."""
    lines: list[Line] = []
    for factor in table.factors:
        chosen = answers.get(factor.code)
        option = None
        if chosen:
            option = next((candidate for candidate in factor.options if candidate.code == chosen), None)
            if option is None:
                raise UnknownOptionError(f"{factor.code}: no option {chosen!r}")
        lines.append(Line(factor, option))
    total = sum(line.points for line in lines)
    if total >= table.category_a_min:
        category = "A"
    elif total >= table.category_b_min:
        category = "B"
    else:
        category = "C"
    return Score(total=total, category=category, lines=tuple(lines), complete=all(line.option for line in lines))
