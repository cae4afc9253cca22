"""Turn application data into answers for a points table (pure).

``FormDefinition.points_fields`` maps each factor to where its answer comes from:

* ``"field_name"`` — the field's value is the option code;
* ``{"field": "annual_salary", "min_bands": [[450000, "s45"], [350000, "s35"], [0, "s0"]]}`` — the
  first band whose minimum the number reaches (bands in descending order);
* ``{"field": "birth_date", "age_bands": [[18, 25, "a18"], [26, 45, "a26"]]}`` — the band the age
  on ``today`` falls in (inclusive).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from tongban.forms.engine import age_on


def points_answers(points_fields: Mapping[str, Any], data: Mapping[str, Any], today: date) -> dict[str, str]:
    answers: dict[str, str] = {}
    for factor, source in points_fields.items():
        if isinstance(source, str):
            value = data.get(source)
            if value not in (None, ""):
                answers[factor] = str(value)
            continue
        value = data.get(source["field"])
        if "min_bands" in source and isinstance(value, int | float):
            for minimum, option in source["min_bands"]:
                if value >= minimum:
                    answers[factor] = option
                    break
        elif "age_bands" in source:
            age = age_on(value, today) if isinstance(value, str) else None
            if age is not None:
                for low, high, option in source["age_bands"]:
                    if low <= age <= high:
                        answers[factor] = option
                        break
    return answers
