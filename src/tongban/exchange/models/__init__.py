"""Exchange data: the resource catalogue, grants and consents, the access log stream, and the
demo city's own authoritative registries."""

from tongban.exchange.models.access import (
    AccessLogEntry,
    AccessOutcome,
    Classification,
    Consent,
    DataResource,
    Grant,
    GrantStatus,
)
from tongban.exchange.models.registries import (
    BusinessRecord,
    PopulationRecord,
    SocialSecurityRecord,
    TaxRecord,
)

__all__ = [
    "AccessLogEntry",
    "AccessOutcome",
    "BusinessRecord",
    "Classification",
    "Consent",
    "DataResource",
    "Grant",
    "GrantStatus",
    "PopulationRecord",
    "SocialSecurityRecord",
    "TaxRecord",
]
