"""Domain errors with one shape everywhere: a stable code and a translatable message."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A business rule refused the request; ``code`` is stable, ``message`` is for people."""

    code: str = "domain_error"
    status: int = 400

    def __init__(self, message: str | Promise, *, code: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code is not None:
            self.code = code


class PermissionDeniedError(DomainError):
    """The actor lacks the right to do this to this object."""

    code = "permission_denied"
    status = 403


class NotFoundError(DomainError):
    """The object does not exist (or the actor may not know that it exists)."""

    code = "not_found"
    status = 404


class ConflictError(DomainError):
    """The object changed, or already exists, so the request cannot be applied."""

    code = "conflict"
    status = 409
