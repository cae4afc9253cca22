"""Prefill source ``certificate``: ``certificate.<type>.<field>`` (or ``certificate.<type>.number``)
is the value of a valid e-certificate of that type held by the right holder (the person the form
names, the applicant or the firm, as the type says), read through the exchange with the draft as
the basis (``forms.held``): granted only if the service's agency holds a grant, logged, and shown
in the holder's "who used my data". It needs the draft, so it is read on every save, not when the
draft opens."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _

from tongban.catalogue.models import CertificateType
from tongban.forms.held import held_for, persons_concerned
from tongban.forms.prefill.base import PrefillContext, PrefillSource, register

#: ``<type code>.<field>``: what a form may name after ``certificate.``.
ATTRIBUTE = re.compile(r"[-A-Za-z0-9_]{1,40}\.[A-Za-z][A-Za-z0-9_]{0,63}")


class CertificateSource(PrefillSource):
    code = "certificate"
    label = _("From an e-certificate the government issued")
    needs_application = True

    def accepts(self, attribute: str) -> bool:
        return ATTRIBUTE.fullmatch(attribute) is not None

    def read(self, context: PrefillContext, attributes: tuple[str, ...]) -> dict[str, Any]:
        application, definition = context.application, context.definition
        assert application is not None and definition is not None
        assert context.now is not None and context.actor is not None
        wanted = [attribute.split(".") for attribute in attributes if attribute.count(".") == 1]
        if not wanted:
            return {}
        concerned = persons_concerned(definition, application.data)
        types = {t.code: t for t in CertificateType.objects.filter(code__in={parts[0] for parts in wanted})}
        per_type: dict[str, tuple[str, ...]] = {}
        for type_code, field in wanted:
            per_type[type_code] = (*per_type.get(type_code, ()), field)
        values: dict[str, Any] = {}
        for type_code, fields in per_type.items():
            certificate_type = types.get(type_code)
            if certificate_type is None:
                continue
            answer = held_for(certificate_type, application, concerned, context.now, context.actor, fields)[1]
            values.update({f"{type_code}.{field}": answer[field] for field in fields if field in answer})
        return values


register(CertificateSource())
