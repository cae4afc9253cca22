"""Writes for firms: a firm's account opened (administered by its legal representative) and its
verification level raised once the business registry confirmed it. Each one transaction, audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import audit_record
from tongban.core.actors import Actor
from tongban.identity import idnumbers
from tongban.identity.models import Firm, FirmType, Person, VerificationLevel
from tongban.identity.services._common import clean_text


@transaction.atomic
def firm_mark_registry_verified(*, firm: Firm, evidence: dict[str, Any], actor: Actor) -> Firm:
    """The business registry confirmed the firm and its legal representative. Recorded."""
    firm = Firm.objects.select_for_update().get(pk=firm.pk)
    before = firm.verification_level
    if before < VerificationLevel.REGISTRY_VERIFIED:
        firm.verification_level = VerificationLevel.REGISTRY_VERIFIED
        firm.save(update_fields=["verification_level"])
    audit_record(
        action="identity.firm_registry_verified",
        actor=actor,
        object_type="firm",
        object_id=firm.uscc,
        data={"from_level": before, "to_level": firm.verification_level, **evidence},
    )
    return firm


@transaction.atomic
def firm_register(
    *,
    uscc: str,
    name_zh: str,
    name_en: str,
    firm_type: str,
    legal_representative: Person,
    actor: Actor,
    registered_district: str = "",
    verification_level: int = VerificationLevel.SELF_REGISTERED,
) -> Firm:
    """Open a firm's account, administered by its legal representative."""
    try:
        code = idnumbers.validate_uscc(uscc)
    except idnumbers.InvalidIdentifierError as exc:
        raise ValidationError({"uscc": exc.message}) from None
    if firm_type not in FirmType.values:
        raise ValidationError({"firm_type": _("Choose the type of firm.")})
    if Firm.objects.filter(uscc=code).exists():
        raise ValidationError({"uscc": _("A firm account with this code already exists.")})
    firm = Firm.objects.create(
        uscc=code,
        name_zh=clean_text("name_zh", name_zh),
        name_en=clean_text("name_en", name_en, required=False),
        firm_type=firm_type,
        legal_representative=legal_representative,
        registered_district=registered_district or code[2:8],
        verification_level=verification_level,
    )
    audit_record(
        action="identity.firm_registered",
        actor=actor,
        object_type="firm",
        object_id=code,
        data={"legal_representative": legal_representative.pk, "verification_level": verification_level},
    )
    return firm
