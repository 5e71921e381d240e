import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

from hiring.models.briefs import RoleBrief
from hiring.models.candidates import Candidate


class Stage(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    SCREENING = "screening", "Screening"
    INTERVIEW = "interview", "Interview"
    SHORTLISTED = "shortlisted", "Shortlisted"
    OFFER = "offer", "Offer"
    HIRED = "hired", "Hired"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


CONSENT_EXPIRED = "expired"


class ConsentState(models.TextChoices):
    """The candidate's own answer to being represented by this agency at this client
    (docs/hiring.md, "Candidate consent")."""

    PENDING = "pending", "Awaiting the candidate"
    CONFIRMED = "confirmed", "Confirmed by the candidate"
    DECLINED = "declined", "Declined by the candidate"


# What `Submission.consent_status` says: the stored state, or "expired" for a pending answer
# past its deadline (the partner API's enum).
CONSENT_STATUS_CHOICES = [*ConsentState.choices, (CONSENT_EXPIRED, "Not answered in time")]


class Submission(models.Model):
    """An agency putting a candidate forward for a brief, with its own version of the person
    and proof of production delivery."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    brief = models.ForeignKey(RoleBrief, on_delete=models.PROTECT, related_name="submissions")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="submissions")
    agency = models.ForeignKey("tenants.Agency", on_delete=models.PROTECT, related_name="+")
    submitted_by_user_id = models.BigIntegerField(null=True, blank=True)

    # The person as this agency presented them: this agency's version, shown to the client
    # and to this agency only (hiring.fields lists them).
    full_name = models.CharField(max_length=200)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    location = models.CharField(max_length=200, blank=True)
    availability = models.CharField(max_length=200, blank=True)
    skills = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    links = models.JSONField(default=list, blank=True)
    summary = models.TextField(blank=True)
    # Stored under the tenant's folder with a neutral name (hiring.resumes.resume_store).
    resume = models.FileField(upload_to="resumes/", blank=True, max_length=300)
    resume_content_type = models.CharField(max_length=100, blank=True)

    # Proof of production delivery (domain: what a vendor should attach)
    proof_shipped_solution = models.TextField()
    proof_baseline = models.TextField(blank=True)
    proof_improvement = models.TextField(blank=True)
    proof_monitoring = models.TextField(blank=True)
    proof_quality_dip = models.TextField(blank=True)
    # Structured parts (hiring.proof): the domain, the measured result, alerting, rollback,
    # input validation and what changed after launch.
    proof_domain = models.CharField(max_length=200, blank=True)
    proof_metric = models.CharField(max_length=200, blank=True)
    proof_metric_unit = models.CharField(max_length=40, blank=True)
    proof_baseline_value = models.DecimalField(
        max_digits=16, decimal_places=4, null=True, blank=True
    )
    proof_result_value = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    proof_monitoring_signals = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    proof_alert_thresholds = models.TextField(blank=True)
    proof_rollback = models.TextField(blank=True)
    proof_input_validation = models.TextField(blank=True)
    proof_iteration = models.TextField(blank=True)
    proof_links = models.JSONField(default=list, blank=True)

    rate_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    rate_currency = models.CharField(max_length=3, blank=True)
    right_to_represent_confirmed_at = models.DateTimeField()
    # The candidate's confirmation (hiring.services.consent): until it is confirmed the
    # client does not see the contact details. A pending answer past `consent_expires_at`
    # has lapsed (`consent_status`).
    consent_state = models.CharField(
        max_length=10, choices=ConsentState.choices, default=ConsentState.PENDING
    )
    consent_requested_at = models.DateTimeField(null=True, blank=True)
    consent_expires_at = models.DateTimeField(null=True, blank=True)
    consent_answered_at = models.DateTimeField(null=True, blank=True)
    # The one reminder e-mail (hiring.services.consent_request.consent_reminders_send).
    consent_reminded_at = models.DateTimeField(null=True, blank=True)

    stage = models.CharField(
        max_length=12, choices=Stage.choices, default=Stage.SUBMITTED, db_index=True
    )
    stage_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One person, one submission per brief: a re-submission is a conflict, not a copy.
            models.UniqueConstraint(
                fields=["brief", "candidate"], name="one_submission_per_candidate_and_brief"
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "-created_at"]),
            # The partner API's sync order, for clients and for one agency's keys.
            models.Index(fields=["updated_at", "public_id"], name="submission_sync_order"),
            models.Index(
                fields=["agency", "updated_at", "public_id"], name="submission_agency_sync_order"
            ),
        ]

    def __str__(self) -> str:
        return f"Submission {self.public_id}"

    @property
    def consent_confirmed(self) -> bool:
        return self.consent_state == ConsentState.CONFIRMED

    @property
    def consent_status(self) -> str:
        """pending, confirmed, declined, or expired (pending past its deadline)."""
        if (
            self.consent_state == ConsentState.PENDING
            and self.consent_expires_at is not None
            and self.consent_expires_at <= timezone.now()
        ):
            return CONSENT_EXPIRED
        return str(self.consent_state)


class StageChange(models.Model):
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=12, choices=Stage.choices)
    reason = models.TextField(blank=True)
    actor_kind = models.CharField(max_length=20)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor_ref = models.CharField(max_length=100, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_stage or '-'} -> {self.to_stage}"
