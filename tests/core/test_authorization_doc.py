"""Issue 15: docs/authorization.md is generated from the permissions modules and kept current."""

from __future__ import annotations

from tongban.cases.management.commands.authorization_doc import doc_path, render
from tongban.cases.permissions import all_rules


def test_the_committed_authorization_table_is_the_generated_one() -> None:
    assert doc_path().read_text(encoding="utf-8") == render(), "run: python manage.py authorization_doc"


def test_every_context_touched_declares_its_rules() -> None:
    contexts = {rule.context for rule in all_rules()}
    assert {"cases", "catalogue", "certificates", "forms", "identity"} <= contexts
    names = {rule.name for rule in all_rules()}
    assert {"acting_authority", "application_authority", "may_view", "may_revoke", "staff_roles_for_case"} <= names
