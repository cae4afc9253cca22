"""A registry of typed, documented environment variables.

Every setting that varies between deployments is read through :func:`env`, which records its
name, type, default and a one-line help text so that ``manage.py settings_doc`` can print the
whole list. Model: open-zaak's ``config()`` helper, with a registry for the documentation.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final, TypeVar, overload

T = TypeVar("T", str, int, bool, float)


@dataclass(frozen=True)
class EnvVar:
    """One documented environment variable."""

    name: str
    type_name: str
    default: str
    help_text: str


REGISTRY: Final[dict[str, EnvVar]] = {}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class EnvError(ValueError):
    """An environment variable holds a value of the wrong type."""


def _parse(name: str, raw: str, default: T) -> T:
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise EnvError(f"{name} must be a boolean (true/false), got {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError as exc:
            raise EnvError(f"{name} must be an integer, got {raw!r}") from exc
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError as exc:
            raise EnvError(f"{name} must be a number, got {raw!r}") from exc
    return raw


@overload
def env(name: str, default: bool, help_text: str) -> bool: ...
@overload
def env(name: str, default: int, help_text: str) -> int: ...
@overload
def env(name: str, default: float, help_text: str) -> float: ...
@overload
def env(name: str, default: str, help_text: str) -> str: ...
def env(name: str, default: T, help_text: str) -> T:
    """Read ``name`` from the environment, typed like ``default``, and document it."""
    REGISTRY[name] = EnvVar(name, type(default).__name__, str(default), help_text)
    raw = os.environ.get(name)
    if raw is None:
        return default
    return _parse(name, raw, default)


def env_list(name: str, default: list[str], help_text: str) -> list[str]:
    """Read a comma-separated list."""
    raw = env(name, ",".join(default), help_text)
    REGISTRY[name] = EnvVar(name, "list", ",".join(default), help_text)
    return [item.strip() for item in raw.split(",") if item.strip()]
