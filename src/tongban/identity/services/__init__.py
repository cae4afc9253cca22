"""Writes for identity, one module per sub-domain; this package re-exports what callers use, so
``from tongban.identity.services import person_register`` names the service wherever it lives.

- ``persons``: registration, persons recorded from applications, accounts opened at a window,
  verification levels, an account's profile and password;
- ``firms``: firm accounts and their registry verification;
- ``powers``: powers a firm's legal representative grants its staff, and their revocation;
- ``staff``: staff accounts and staff roles (who may grant which role);
- ``second_factor``: TOTP enrolment, codes at login, a lost authenticator reset;
- ``login_code``: the code e-mailed to an account under attack, for a login from a new device;
- ``structure``: the city's agencies, their offices and the service centres;
- ``personal_data``: a person's export of everything held about them, audited.

Every service takes keyword-only typed arguments, is one transaction and writes its audit event
inside it; refusals are field-keyed ``ValidationError`` s or the domain errors of ``core.errors``.
"""

from tongban.identity.services.firms import firm_mark_registry_verified, firm_register
from tongban.identity.services.login_code import LoginCode, login_code_check, login_code_send
from tongban.identity.services.personal_data import personal_data_export
from tongban.identity.services.persons import (
    account_password_set,
    account_profile_update,
    person_mark_registry_verified,
    person_open_account_at_window,
    person_record,
    person_register,
    person_verify_in_person,
    registration_check,
)
from tongban.identity.services.powers import power_grant, power_grant_errors, power_revoke
from tongban.identity.services.second_factor import staff_totp_reset, totp_confirm, totp_enrol, totp_verify
from tongban.identity.services.staff import (
    staff_account_create,
    staff_member_add,
    staff_role_grant,
    staff_role_office_error,
    staff_role_revoke,
)
from tongban.identity.services.structure import (
    AGENCY_FIELDS,
    CENTRE_FIELDS,
    OFFICE_FIELDS,
    agency_create,
    agency_update,
    centre_create,
    centre_update,
    office_create,
    office_update,
)

__all__ = [
    "AGENCY_FIELDS",
    "CENTRE_FIELDS",
    "OFFICE_FIELDS",
    "LoginCode",
    "account_password_set",
    "account_profile_update",
    "agency_create",
    "agency_update",
    "centre_create",
    "centre_update",
    "firm_mark_registry_verified",
    "firm_register",
    "login_code_check",
    "login_code_send",
    "office_create",
    "office_update",
    "person_mark_registry_verified",
    "person_open_account_at_window",
    "person_record",
    "person_register",
    "person_verify_in_person",
    "personal_data_export",
    "power_grant",
    "power_grant_errors",
    "power_revoke",
    "registration_check",
    "staff_account_create",
    "staff_member_add",
    "staff_role_grant",
    "staff_role_office_error",
    "staff_role_revoke",
    "staff_totp_reset",
    "totp_confirm",
    "totp_enrol",
    "totp_verify",
]
