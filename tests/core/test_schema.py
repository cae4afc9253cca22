"""The schema carries no index twice: a foreign key that leads a composite index (or a unique
pair) has no single-column index of its own, because the composite serves lookups by the key
alone and every index costs each INSERT on tables of tens of millions of rows. Checked on the
models and on the migrated database, both SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, models


def _leading_fields(model: type[models.Model]) -> set[str]:
    leading = {index.fields[0].lstrip("-") for index in model._meta.indexes if index.fields}
    leading |= {
        constraint.fields[0]
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields and constraint.condition is None
    }
    return leading


def _tongban_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if model.__module__.startswith("tongban.")]


def test_no_foreign_key_is_indexed_twice() -> None:
    doubled = [
        f"{model._meta.label}.{field.name}"
        for model in _tongban_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey) and field.db_index and field.name in _leading_fields(model)
    ]
    assert doubled == [], "give these foreign keys db_index=False: a composite index leads with them"


@pytest.mark.django_db
def test_the_migrated_database_has_no_single_column_index_a_composite_leads() -> None:
    doubled = []
    with connection.cursor() as cursor:
        for model in _tongban_models():
            constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
            multi = {c["columns"][0] for c in constraints.values() if c["index"] and len(c["columns"]) > 1}
            for name, constraint in constraints.items():
                columns = constraint["columns"]
                single = constraint["index"] and not constraint["unique"] and len(columns) == 1
                if single and columns[0] in multi and constraint.get("orders") != ["DESC"]:
                    doubled.append(f"{model._meta.db_table}.{name}")
    assert doubled == []
