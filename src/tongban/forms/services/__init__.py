"""Writes for forms, by sub-domain: an applicant's drafts (``applications``) and the form
definitions operators edit and publish with their service version (``definitions``). The public
names are re-exported here, so callers import ``from tongban.forms.services import …``."""

from tongban.forms.services.applications import (
    NO_ONLINE_FORM,
    WindowHand,
    application_attach_held,
    application_discard,
    application_save_step,
    application_set_step,
    application_start,
    application_upload,
)
from tongban.forms.services.definitions import (
    FORM_HAS_PROBLEMS,
    NO_FORM_TO_PUBLISH,
    definition_digest,
    form_definition_errors,
    form_definition_update,
    service_item_create_with_form,
    service_version_publish_with_form,
)

__all__ = [
    "FORM_HAS_PROBLEMS",
    "NO_FORM_TO_PUBLISH",
    "NO_ONLINE_FORM",
    "WindowHand",
    "application_attach_held",
    "application_discard",
    "application_save_step",
    "application_set_step",
    "application_start",
    "application_upload",
    "definition_digest",
    "form_definition_errors",
    "form_definition_update",
    "service_item_create_with_form",
    "service_version_publish_with_form",
]
