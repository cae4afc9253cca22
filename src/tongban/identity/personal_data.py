"""Identity's part of the personal-data export (``core.personal_data``): the person, their
account, the firms they represent and the powers they hold or held. Four queries, whatever the
number of powers."""

from __future__ import annotations

from typing import Any

from tongban.identity.models import Firm, Person, Power


def _firm(firm: Firm) -> dict[str, Any]:
    return {"uscc": firm.uscc, "name_zh": firm.name_zh, "name_en": firm.name_en}


def person_section(person: Person) -> dict[str, Any]:
    account = person.account
    return {
        "public_id": person.public_id,
        "id_type": person.id_type,
        "id_number": person.id_number,
        "nationality": str(person.nationality),
        "name": person.name,
        "latin_name": person.latin_name,
        "birth_date": person.birth_date,
        "registered_district": person.registered_district,
        "verification_level": person.verification_level,
        "created_at": person.created_at,
        "account": None
        if account is None
        else {
            "username": account.username,
            "display_name": account.display_name,
            "email": account.email,
            "phone": account.phone,
            "preferred_language": account.preferred_language,
            "created_at": account.created_at,
        },
    }


def firms_section(person: Person) -> dict[str, Any]:
    """The firms the person represents, and the powers to act for a firm they were granted: a
    firm's own data appears only as far as the person's role names it."""
    represented = Firm.objects.filter(legal_representative=person).order_by("uscc")
    powers = Power.objects.filter(grantee=person).select_related("firm").order_by("granted_at", "id")
    return {
        "represented": [_firm(firm) for firm in represented],
        "powers": [
            {
                "firm": _firm(power.firm),
                "area": power.area,
                "granted_at": power.granted_at,
                "expires_at": power.expires_at,
                "revoked_at": power.revoked_at,
            }
            for power in powers
        ],
    }
