"""Model fields for personal data at rest (ADR 0029): encrypted text, encrypted JSON, and the
keyed digest column that lets an encrypted number be found by equality.

The encrypted fields encrypt in ``get_prep_value`` (so ``save``, ``bulk_create``, ``update`` and
the static SQL of ``core.db`` all store ciphertext) and decrypt in ``from_db_value`` (so querysets,
``values()`` and ``core.db.select_objects`` all read plaintext, with no extra query). The
associated data is the field's table and column. A ciphertext cannot be compared, ordered or
searched: every lookup but ``isnull`` is refused with a ``FieldError`` that says where to search.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import FieldError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import IsNull

from tongban.core.crypto import decrypt_json, decrypt_text, encrypt_json, encrypt_text, lookup_digest


class _Encrypted:
    """What both encrypted fields share: the associated data and the refusal of lookups."""

    model: type[models.Model]
    column: str
    name: str

    def _where(self) -> dict[str, str]:
        return {"table": self.model._meta.db_table, "column": self.column}

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return IsNull
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted at rest: it cannot be searched with "
            f"'{lookup_name}'. Search its lookup digest column instead (ADR 0029)."
        )

    def get_transform(self, lookup_name: str) -> Any:
        return None


class EncryptedTextField(_Encrypted, models.TextField):  # type: ignore[type-arg]
    """A text value stored as an AEAD ciphertext of the data-key ring."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt_text(str(value), **self._where())

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        if value is None:
            return None
        return decrypt_text(value, **self._where())


class EncryptedJSONField(_Encrypted, models.Field):  # type: ignore[type-arg]
    """A JSON value (dicts, lists, strings, numbers) stored as an AEAD ciphertext of its JSON text.
    Reads and writes like ``models.JSONField``; only the database sees text."""

    empty_strings_allowed = False
    description = "JSON, encrypted at rest"

    def get_internal_type(self) -> str:
        return "TextField"

    def get_prep_value(self, value: Any) -> Any:
        if value is None and self.null:
            return None
        return encrypt_json(value, **self._where())

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        if value is None:
            return None
        return decrypt_json(value, **self._where())

    def to_python(self, value: Any) -> Any:
        return value

    def value_to_string(self, obj: models.Model) -> Any:
        return self.value_from_object(obj)

    def formfield(self, form_class: Any = None, choices_form_class: Any = None, **kwargs: Any) -> Any:
        return super().formfield(
            form_class=form_class or forms.JSONField, choices_form_class=choices_form_class, **kwargs
        )


class LookupDigestField(models.CharField):  # type: ignore[type-arg]
    """The keyed digest (HMAC under the active lookup key, hex) of another field's normalised
    value, set on every save: the column an equality search on an encrypted number uses. Search it
    with ``core.crypto.lookup_digests`` (every lookup key of the ring, during a rotation). The
    source and normaliser are code, not schema: they stay out of migrations, and a historical
    model keeps whatever value it is given."""

    def __init__(self, *args: Any, of: str = "", normalise: Callable[[str], str] | None = None, **kwargs: Any) -> None:
        self.of = of
        self.normalise = normalise
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        if not self.of:
            return super().pre_save(model_instance, add)
        source = getattr(model_instance, self.of)
        text = self.normalise(source) if self.normalise else source
        value = lookup_digest(text) if source else ""
        setattr(model_instance, self.attname, value)
        return value
