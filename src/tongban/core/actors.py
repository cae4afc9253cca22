"""Who did something, for whom and under which power: passed explicitly into every service."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

ActorKind = Literal["account", "system", "anonymous"]


@dataclass(frozen=True)
class Actor:
    """The acting party of a business write, as the audit trail records it.

    ``acting_for`` names the party acted for when it is not the actor itself (``firm:<USCC>``),
    ``power_id`` the delegated power used (``None`` for a firm's legal representative, whose
    authority comes from the business registry rather than a grant).
    """

    kind: ActorKind
    account_id: int | None = None
    label: str = ""
    acting_for: str = ""
    power_id: int | None = None
    ip: str | None = None

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(kind="system", label=label)

    @classmethod
    def anonymous(cls, *, ip: str | None = None, label: str = "") -> Actor:
        return cls(kind="anonymous", label=label, ip=ip)

    def for_firm(self, uscc: str, power_id: int | None) -> Actor:
        """The same actor, now acting for a firm under a power."""
        return replace(self, acting_for=f"firm:{uscc}", power_id=power_id)
