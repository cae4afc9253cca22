"""The registry of audit streams: every append-only, chained table the sealer looks after.

The audit trail itself is one stream; the exchange's access log registers another. Each stream
is a concrete subclass of :class:`tongban.audit.models.ChainedRecord`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.audit.models import ChainedRecord

_STREAMS: dict[str, type[ChainedRecord]] = {}


def register(model: type[ChainedRecord]) -> None:
    _STREAMS[model.STREAM] = model


def get(name: str) -> type[ChainedRecord]:
    try:
        return _STREAMS[name]
    except KeyError:
        raise KeyError(f"Unknown audit stream {name!r}; known: {', '.join(sorted(_STREAMS))}") from None


def names() -> list[str]:
    return sorted(_STREAMS)
