"""Case data: the case (办件), the persons concerned, and its append-only history.

Designed for tens of millions of rows: every list the portal and back office show is one
index-backed query (see ``Meta.indexes``); due dates are stored so queues sort in the database;
``lock_version`` gives optimistic concurrency (two officers acting at once: one wins, the other
is told the case changed).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongban.cases.workflow import RUNNING, Action, Status
from tongban.catalogue.models import ServiceItem, ServiceVersion
from tongban.core.fields import EncryptedJSONField
from tongban.forms.models import Application
from tongban.identity.models import Account, Agency, AgencyOffice, Firm, Person, Power, ServiceArea, ServiceCentre


def status_label(value: str) -> str:
    """The label of a case status in the active language."""
    return _label(Status, value)


def _label(choices: type[models.TextChoices], value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:  # a value no longer among the choices: show it as stored
        return value


class CaseAction(models.TextChoices):
    SUBMIT = "submit", pgettext_lazy("case history", "Submitted")
    ACCEPT = Action.ACCEPT.value, pgettext_lazy("case history", "Accepted")
    REFUSE_ACCEPTANCE = Action.REFUSE_ACCEPTANCE.value, pgettext_lazy("case history", "Not accepted")
    START_REVIEW = Action.START_REVIEW.value, pgettext_lazy("case history", "Review started")
    REQUEST_SUPPLEMENT = Action.REQUEST_SUPPLEMENT.value, pgettext_lazy("case history", "Supplement requested")
    RESUBMIT = Action.RESUBMIT.value, pgettext_lazy("case history", "Supplement provided")
    PROPOSE_APPROVAL = Action.PROPOSE_APPROVAL.value, pgettext_lazy("case history", "Approval proposed")
    PROPOSE_REJECTION = Action.PROPOSE_REJECTION.value, pgettext_lazy("case history", "Rejection proposed")
    APPROVE = Action.APPROVE.value, pgettext_lazy("case history", "Approved")
    REJECT = Action.REJECT.value, pgettext_lazy("case history", "Rejected")
    RETURN_TO_REVIEW = Action.RETURN_TO_REVIEW.value, pgettext_lazy("case history", "Returned to review")
    CLOSE = Action.CLOSE.value, pgettext_lazy("case history", "Closed")
    WITHDRAW = Action.WITHDRAW.value, pgettext_lazy("case history", "Withdrawn")
    ASSIGN = "assign", pgettext_lazy("case history", "Assigned")


class CaseChannel(models.TextChoices):
    ONLINE = "online", _("Online")
    WINDOW = "window", _("At a window")
    API = "api", _("Through the API")


class Case(models.Model):
    number = models.CharField(max_length=20, unique=True)
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="case")
    version = models.ForeignKey(ServiceVersion, on_delete=models.PROTECT, related_name="cases")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="cases")
    area = models.CharField(max_length=32, choices=ServiceArea.choices)
    # Foreign keys that lead a composite index below get no index of their own (db_index=False):
    # the composite serves lookups by the key alone, and every index costs each INSERT.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="cases", db_index=False)
    office = models.ForeignKey(AgencyOffice, on_delete=models.PROTECT, related_name="cases", db_index=False)
    applicant = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="cases",
        help_text="The person who applied (or acted for the firm).",
        db_index=False,
    )
    firm = models.ForeignKey(
        Firm, null=True, blank=True, on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    power = models.ForeignKey(Power, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=16, choices=CaseChannel.choices, default=CaseChannel.ONLINE)
    #: At a window (channel ``window``): the clerk who entered and submitted it on the applicant's
    #: behalf, and where (ADR 0039). The clerk never decides it.
    entered_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    entered_at_centre = models.ForeignKey(
        ServiceCentre, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    status = models.CharField(max_length=24, choices=Status.choices)
    lock_version = models.PositiveIntegerField(default=1)
    data = EncryptedJSONField(default=dict)  # the applicant's form data: encrypted at rest (ADR 0029)
    submitted_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    statutory_due_on = models.DateField(null=True, blank=True)
    promised_due_on = models.DateField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    supplement_items = models.JSONField(default=list, blank=True)
    proposal = models.JSONField(default=dict, blank=True)
    decision_reason = models.TextField(blank=True)
    decision_legal_basis = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["office", "status", "promised_due_on", "id"], name="cases_office_queue"),
            models.Index(fields=["agency", "status", "promised_due_on", "id"], name="cases_agency_queue"),
            models.Index(fields=["assigned_to", "status"], name="cases_assigned"),
            models.Index(fields=["applicant", "-submitted_at"], name="cases_applicant"),
            models.Index(fields=["firm", "area", "-submitted_at"], name="cases_firm"),
            models.Index(fields=["firm", "-id"], name="cases_firm_recent"),
            # The dashboards' counts (ADR 0046): only the cases being worked are in it, so counting an
            # agency's overdue and due-soon cases, per office, reads a few entries per open case, never
            # the tens of millions of finished ones, and never the table (an index-only scan).
            models.Index(
                fields=["agency", "office", "statutory_due_on", "promised_due_on"],
                condition=Q(status__in=sorted(status.value for status in RUNNING)),
                name="cases_running_due",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_status_display(self) -> str:  # type: ignore[no-redef]  # django-stubs declares it for the choices
        """The status label, without Django's per-call rebuild of the choices dict (list pages)."""
        return status_label(self.status)


class CaseParty(models.Model):
    """A person concerned by a case who is not its applicant (the engineer whose work permit his
    employer applies for). They see the case read-only in their own "My cases"."""

    # Both keys lead an index below (the unique pair, and person-then-case): none of their own.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties", db_index=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="case_parties", db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="cases_party_unique")]
        indexes = [models.Index(fields=["person", "case"], name="cases_party_person")]

    def __str__(self) -> str:
        return f"{self.person} in {self.case}"


class CaseEvent(models.Model):
    """One step of a case's history (append-only): what happened, from which status to which,
    who did it, acting for whom under which power, and why."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", db_index=False)  # cases_event_case
    at = models.DateTimeField()
    action = models.CharField(max_length=24, choices=CaseAction.choices)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    actor_account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(max_length=16)
    acting_for = models.CharField(max_length=64, blank=True)
    power = models.ForeignKey(Power, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    legal_basis = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["case", "id"], name="cases_event_case")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} at {self.at:%Y-%m-%d %H:%M}"

    def get_action_display(self) -> str:  # type: ignore[no-redef]  # django-stubs declares it for the choices
        return _label(CaseAction, self.action)


class MaterialSource(models.TextChoices):
    UPLOAD = "upload", _("Uploaded by the applicant")
    CERTIFICATE = "certificate", _("Held by the government (e-certificate)")


class CaseMaterial(models.Model):
    """How each material of a case was provided: the statistics of the once-only principle."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="materials", db_index=False
    )  # cases_material_once
    material_code = models.SlugField(max_length=40)
    source = models.CharField(max_length=16, choices=MaterialSource.choices)
    certificate_number = models.CharField(max_length=24, blank=True)
    removed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the uploaded files were deleted under retention (cases.retention)."
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "material_code"], name="cases_material_once")]
        indexes = [models.Index(fields=["source", "material_code"], name="cases_material_source")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.material_code}={self.source}"


class CaseData(models.Model):
    """Data fetched through the exchange for a case — by an officer, about one of its parties —
    kept with the file: the values, where they came from, who fetched them, and the access-log
    entry that records the read (also when the exchange refused or the source failed)."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="fetched_data", db_index=False
    )  # cases_data_case
    resource = models.CharField(max_length=60)
    subject_ref = models.CharField(max_length=64)
    subject_label = models.CharField(max_length=150)
    outcome = models.CharField(max_length=16)
    reason = models.CharField(max_length=200, blank=True)
    found = models.BooleanField(default=False)
    values = EncryptedJSONField(default=dict, blank=True)  # registry data about a person: encrypted (ADR 0029)
    source = models.CharField(max_length=120, blank=True)
    fetched_at = models.DateTimeField()
    fetched_by = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    access_log_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["case", "-id"], name="cases_data_case")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.resource} of {self.subject_ref} ({self.outcome})"
