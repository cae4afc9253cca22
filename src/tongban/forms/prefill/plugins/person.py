"""Prefill source ``person``: the applicant's identity record."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from tongban.forms.prefill.base import PrefillContext, PrefillSource, register


class PersonSource(PrefillSource):
    code = "person"
    label = _("From your identity record")
    attributes = frozenset(
        {"name", "latin_name", "id_type", "id_number", "nationality", "birth_date", "registered_district"}
    )

    def read(self, context: PrefillContext, attributes: tuple[str, ...]) -> dict[str, Any]:
        person = context.person
        values = {
            "name": person.name,
            "latin_name": person.latin_name,
            "id_type": person.id_type,
            "id_number": person.id_number,
            "nationality": str(person.nationality),
            "birth_date": person.birth_date.isoformat() if person.birth_date else None,
            "registered_district": person.registered_district,
        }
        return {name: values[name] for name in attributes if name in values}


register(PersonSource())
