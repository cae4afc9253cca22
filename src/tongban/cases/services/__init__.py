"""Writes for cases, by sub-domain: ``submit`` (an application becomes a case), ``act`` (the
lifecycle: one transition service, and assigning), ``certificates`` (the certificate a case earns)
and ``access`` (an officer reading a case file, or fetching data about its parties). Each write
is one transaction with its history row, its audit event and its notices (e-mail queued after
commit). The public names are re-exported here: callers import from ``tongban.cases.services``.

Concurrency: every transition names the ``lock_version`` the actor saw; the UPDATE only applies
if it is still current, so of two officers acting at once one wins and the other is told the
case changed — nothing is overwritten. Submitting is idempotent: an application makes at most
one case, however often the button is pressed.
"""

from __future__ import annotations

from tongban.cases.services.access import case_fetch_data, case_record_material_opened, case_record_opened
from tongban.cases.services.act import CHANGED, case_act, case_assign, case_status_before
from tongban.cases.services.certificates import case_certificate_issue, certificate_fields
from tongban.cases.services.submit import SubmissionIncomplete, case_submit, completeness_errors, new_case_number

__all__ = [
    "CHANGED",
    "SubmissionIncomplete",
    "case_act",
    "case_assign",
    "case_certificate_issue",
    "case_fetch_data",
    "case_record_material_opened",
    "case_record_opened",
    "case_status_before",
    "case_submit",
    "certificate_fields",
    "completeness_errors",
    "new_case_number",
]
