"""Prefill source ``firm``: the registration record of the firm applied for."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from tongban.forms.prefill.base import PrefillContext, PrefillSource, register


class FirmSource(PrefillSource):
    code = "firm"
    label = _("From the firm's registration record")
    attributes = frozenset({"uscc", "name_zh", "name_en", "firm_type", "legal_representative", "registered_district"})

    def read(self, context: PrefillContext, attributes: tuple[str, ...]) -> dict[str, Any]:
        firm = context.firm
        if firm is None:  # the applicant applies for themself
            return {}
        values = {
            "uscc": firm.uscc,
            "name_zh": firm.name_zh,
            "name_en": firm.name_en,
            "firm_type": firm.firm_type,
            "legal_representative": firm.legal_representative.display_name,
            "registered_district": firm.registered_district,
        }
        return {name: values[name] for name in attributes if name in values}


register(FirmSource())
