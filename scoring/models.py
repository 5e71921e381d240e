"""Scorecards, interviewer assignments, shortlist snapshots and executive decisions."""

import uuid

from django.db import models
from django.utils import timezone

from tenants.models import ClientRole

SCORE_FIELDS = ("score_a", "score_b", "score_c", "score_d", "score_e")
EVIDENCE_FIELDS = ("evidence_a", "evidence_b", "evidence_c", "evidence_d", "evidence_e")


class Recommendation(models.TextChoices):
    STRONG_NO = "strong_no", "Strong no"
    NO = "no", "No"
    MIXED = "mixed", "Mixed"
    YES = "yes", "Yes"
    STRONG_YES = "strong_yes", "Strong yes"


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


def _score_field() -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(null=True, blank=True)


class Scorecard(models.Model):
    """One interviewer's AI Delivery Scorecard for one submission."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submission = models.ForeignKey(
        "hiring.Submission", on_delete=models.CASCADE, related_name="scorecards"
    )
    interviewer = models.ForeignKey("tenants.User", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=ScorecardStatus.choices, default=ScorecardStatus.DRAFT, db_index=True
    )
    score_a = _score_field()
    score_b = _score_field()
    score_c = _score_field()
    score_d = _score_field()
    score_e = _score_field()
    evidence_a = models.TextField(blank=True)
    evidence_b = models.TextField(blank=True)
    evidence_c = models.TextField(blank=True)
    evidence_d = models.TextField(blank=True)
    evidence_e = models.TextField(blank=True)
    recommendation = models.CharField(max_length=12, choices=Recommendation.choices, blank=True)
    summary = models.TextField(blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    # The interview kit version the interviewer scored with (set on every save of a draft,
    # fixed at submission), so a submitted scorecard shows the questions its interviewer had.
    kit_version = models.ForeignKey(
        "scoring.InterviewKitVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The partner API key that last wrote this scorecard (public tenants.ApiKey id), if any:
    # a key reads back the drafts it wrote. No FK: keys live in the public schema.
    written_by_api_key_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "interviewer"],
                name="one_scorecard_per_interviewer_and_submission",
            ),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{field}__isnull": True})
                    | models.Q(**{f"{field}__lte": 5}),
                    name=f"scorecard_{field}_0_to_5",
                )
                for field in SCORE_FIELDS
            ],
        ]

    def __str__(self) -> str:
        return f"Scorecard {self.public_id} ({self.status})"

    def scores(self) -> dict[str, int | None]:
        return {field[-1].upper(): getattr(self, field) for field in SCORE_FIELDS}


class Shortlist(models.Model):
    """A versioned snapshot of a brief's ranking, computed by Celery from the scorecards."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    brief = models.ForeignKey(
        "hiring.RoleBrief", on_delete=models.CASCADE, related_name="shortlists"
    )
    version = models.PositiveIntegerField()
    inputs_hash = models.CharField(max_length=64)
    computed_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    scorecard_count = models.PositiveIntegerField(default=0)
    policy = models.JSONField(default=dict)
    # What the calibration found (scoring.services.shortlists.calibration_snapshot): per
    # interviewer the estimated leniency and scale with the evidence behind them, the groups, and
    # whether the workspace's earlier briefs informed the estimate. Empty before method 2.
    calibration = models.JSONField(default=dict)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["brief", "version"], name="one_shortlist_version"),
        ]

    def __str__(self) -> str:
        return f"Shortlist v{self.version} of {self.brief_id}"


class ShortlistEntry(models.Model):
    shortlist = models.ForeignKey(Shortlist, on_delete=models.CASCADE, related_name="entries")
    submission = models.ForeignKey("hiring.Submission", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveIntegerField()
    weighted_score = models.FloatField()
    balanced_score = models.FloatField()
    category_means = models.JSONField(default=dict)
    below_floor = models.JSONField(default=list)
    floor_overridden = models.BooleanField(default=False)
    missing = models.JSONField(default=list)
    needs_debrief = models.JSONField(default=list)
    confidence = models.FloatField()
    scorecard_count = models.PositiveIntegerField()
    reason = models.TextField()
    # The same rules on the raw means, for the page's "with and without calibration" view;
    # None in snapshots computed before the joint calibration.
    uncalibrated_rank = models.PositiveIntegerField(null=True, blank=True)
    uncalibrated_score = models.FloatField(null=True, blank=True)
    # 1 = the main panel, 2.. = a group sharing no candidate with it, 0 = interviewers who
    # share no scored candidate with anyone (scoring.engine.ShortlistEntry.panel_group).
    panel_group = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["shortlist", "rank"], name="one_entry_per_rank"),
        ]

    def __str__(self) -> str:
        return f"#{self.rank} {self.submission_id}"


class ScoringSettings(models.Model):
    """The workspace's scoring choices (one row per workspace; defaults apply until saved).

    `workspace_evidence`: let interviewers' habits measured on this client's earlier briefs
    inform each new shortlist's calibration. Off by default; docs/scoring.md gives the
    privacy and fairness reasoning.
    """

    workspace_evidence = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by_user_id = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return "scoring settings"


class FloorOverride(models.Model):
    """An executive lets a candidate below a category floor compete for the top anyway."""

    brief = models.ForeignKey("hiring.RoleBrief", on_delete=models.CASCADE, related_name="+")
    submission = models.ForeignKey("hiring.Submission", on_delete=models.CASCADE, related_name="+")
    decided_by_user_id = models.BigIntegerField(null=True, blank=True)
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["brief", "submission"], name="one_floor_override"),
        ]

    def __str__(self) -> str:
        return f"override {self.submission_id}"


class DecisionKind(models.TextChoices):
    ADVANCE = "advance", "Advance"
    REJECT = "reject", "Reject"


class ShortlistDecision(models.Model):
    """An executive's decision on a candidate, taken from a specific snapshot."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    shortlist = models.ForeignKey(Shortlist, on_delete=models.PROTECT, related_name="decisions")
    submission = models.ForeignKey("hiring.Submission", on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=10, choices=DecisionKind.choices)
    reason = models.TextField(blank=True)
    decided_by_user_id = models.BigIntegerField(null=True, blank=True)
    decided_at = models.DateTimeField(default=timezone.now)
    resulting_stage = models.CharField(max_length=12)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.decision} {self.submission_id}"


class AgencyAnalytics(models.Model):
    """Figures per agency at this client, computed by Celery (nightly and on demand)."""

    agency = models.ForeignKey("tenants.Agency", on_delete=models.CASCADE, related_name="+")
    computed_at = models.DateTimeField(default=timezone.now)
    figures = models.JSONField(default=dict)

    class Meta:
        ordering = ["-computed_at"]
        constraints = [
            models.UniqueConstraint(fields=["agency"], name="one_analytics_row_per_agency"),
        ]

    def __str__(self) -> str:
        return f"analytics {self.agency_id}"


class InterviewKitVersion(models.Model):
    """One version of the workspace's interview kit for a track (scoring.kits describes the
    questions). Every change (a question added, reworded or retired) writes a new version;
    old versions are kept, because submitted scorecards point at the version they used.
    Version 1 is the standard kit, stored the first time a scorecard or an edit needs it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    track = models.CharField(max_length=30)
    version = models.PositiveIntegerField()
    questions = models.JSONField(default=list)
    change = models.CharField(max_length=300)
    created_by_user_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["track", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["track", "version"], name="one_kit_version_number"),
        ]

    def __str__(self) -> str:
        return f"kit {self.track} v{self.version}"


class VendorReviewBasis(models.TextChoices):
    PERIOD = "period", "Periodic review"
    BRIEF = "brief", "Filled brief"


VENDOR_SCORE_FIELDS = SCORE_FIELDS
VENDOR_EVIDENCE_FIELDS = EVIDENCE_FIELDS


class VendorReview(models.Model):
    """A client reviewer's AI Delivery Scorecard of an agency as a delivery partner: the five
    categories A-E, 0-5, each with the evidence behind it. Either a periodic review (a
    period) or the review of one filled brief. Final once recorded."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey("tenants.Agency", on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey("tenants.User", on_delete=models.PROTECT, related_name="+")
    # The reviewer's role when they reviewed: the agency reads the role, not the name.
    reviewer_role = models.CharField(max_length=20, choices=ClientRole.choices)
    basis = models.CharField(max_length=10, choices=VendorReviewBasis.choices)
    brief = models.ForeignKey(
        "hiring.RoleBrief", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    score_a = models.PositiveSmallIntegerField()
    score_b = models.PositiveSmallIntegerField()
    score_c = models.PositiveSmallIntegerField()
    score_d = models.PositiveSmallIntegerField()
    score_e = models.PositiveSmallIntegerField()
    evidence_a = models.TextField()
    evidence_b = models.TextField()
    evidence_c = models.TextField()
    evidence_d = models.TextField()
    evidence_e = models.TextField()
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{field}__lte": 5}),
                    name=f"vendor_review_{field}_0_to_5",
                )
                for field in SCORE_FIELDS
            ],
            models.CheckConstraint(
                condition=(
                    models.Q(basis="brief", brief__isnull=False, period_start__isnull=True)
                    | models.Q(
                        basis="period",
                        brief__isnull=True,
                        period_start__isnull=False,
                        period_end__isnull=False,
                        period_end__gte=models.F("period_start"),
                    )
                ),
                name="vendor_review_basis_complete",
            ),
            models.UniqueConstraint(
                fields=["agency", "reviewer", "brief"],
                condition=models.Q(basis="brief"),
                name="one_vendor_review_per_reviewer_and_brief",
            ),
            models.UniqueConstraint(
                fields=["agency", "reviewer", "period_start", "period_end"],
                condition=models.Q(basis="period"),
                name="one_vendor_review_per_reviewer_and_period",
            ),
        ]

    def __str__(self) -> str:
        return f"vendor review {self.public_id}"

    def scores(self) -> dict[str, int]:
        return {field[-1].upper(): getattr(self, field) for field in SCORE_FIELDS}

    def evidence(self) -> dict[str, str]:
        return {field[-1].upper(): getattr(self, field) for field in EVIDENCE_FIELDS}
