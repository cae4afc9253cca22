"""The hand-built statements (``core.db``) the case services read with: the application a
submission locks, and the materials its current uploads cover. Kept here, out of the service
modules, so that no service spells a WHERE clause; identifiers come from model metadata and every
value is a parameter."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext_lazy as _

from tongban.cases.selectors import VERSION_FIELDS_WITHOUT_GUIDE
from tongban.core.db import select_objects
from tongban.core.errors import NotFoundError
from tongban.forms.models import Application, Upload
from tongban.identity.models import Person

#: What a submission reads with its application, in one locked statement (``core.db``): the ORM
#: compiled this six-table join anew on every submit. The version without its guide texts.
_APPLICATION_JOINS = (
    ("version", VERSION_FIELDS_WITHOUT_GUIDE),
    ("version__item", None),
    ("version__item__agency", None),
    ("firm", None),
    ("person", None),
    ("person__account", None),
)
_APPLICATION_BY_ID = "WHERE t.id = %s"
_APPLICATION_OF_PERSON = "WHERE t.public_id = %s AND t.person_id = %s"
_CURRENT_FILES = "WHERE t.application_id = %s AND t.superseded_at IS NULL"


def locked_application(application: Application | str, person: Person) -> Application:
    """The application (or the person's application with this public id), locked for the
    submission, with its version, service, agency, firm, person and account."""
    if isinstance(application, Application):
        where, params = _APPLICATION_BY_ID, [application.pk]
    else:
        try:
            public_id = Application._meta.get_field("public_id").get_db_prep_value(application, connection)
        except ValidationError:
            raise NotFoundError(_("No such application among yours.")) from None
        where, params = _APPLICATION_OF_PERSON, [public_id, person.pk]
    found = select_objects(Application, where, params, joins=_APPLICATION_JOINS, lock=True)
    if not found:
        raise NotFoundError(_("No such application among yours."))
    return found[0]


def uploaded_material_ids(application_id: int) -> set[int]:
    """The materials the application's current (not superseded) uploads provide."""
    return {
        upload.material_id for upload in select_objects(Upload, _CURRENT_FILES, [application_id], fields=("material",))
    }
