import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone


class Track(models.TextChoices):
    PYTHON_DEVELOPER = "python_developer", "Python developer"
    PYTHON_AI_DEVELOPER = "python_ai_developer", "Python AI developer"
    AI_ML_ENGINEER = "ai_ml_engineer", "AI/ML engineer"


class Need(models.TextChoices):
    """Kinds of work the role will mainly do; the track recommendation reads these."""

    APIS = "apis", "APIs and backend services"
    PIPELINES = "pipelines", "Data pipelines / ETL"
    INTEGRATIONS = "integrations", "Integrations and automation"
    ML_FEATURES = "ml_features", "ML features (recommendations, scoring, classification)"
    MLOPS = "mlops", "Deployment, monitoring, drift and cost control of models"
    GENAI = "genai", "GenAI: LLMs, RAG pipelines, agents"


class BriefStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    ON_HOLD = "on_hold", "On hold"
    FILLED = "filled", "Filled"
    CLOSED = "closed", "Closed"


class RemotePolicy(models.TextChoices):
    ONSITE = "onsite", "On site"
    HYBRID = "hybrid", "Hybrid"
    REMOTE = "remote", "Remote"


class RateUnit(models.TextChoices):
    HOUR = "hour", "per hour"
    DAY = "day", "per day"
    MONTH = "month", "per month"
    YEAR = "year", "per year"


class RoleBrief(models.Model):
    """What the client needs, defined well enough that an agency can find the right person."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    track = models.CharField(max_length=30, choices=Track.choices)
    needs = ArrayField(models.CharField(max_length=20, choices=Need.choices), default=list)
    uses_llm = models.BooleanField(default=False)
    uses_rag = models.BooleanField(default=False)
    uses_agents = models.BooleanField(default=False)

    # 1. Business goal
    business_goal = models.TextField(blank=True)
    kpi_target = models.CharField(max_length=300, blank=True)
    # 2. Data readiness
    data_sources_exist = models.BooleanField(default=False)
    data_use_approved = models.BooleanField(default=False)
    privacy_rules = models.TextField(blank=True)
    # 3. Success criteria and ownership after launch
    success_impact = models.TextField(blank=True)
    success_ai_quality = models.TextField(blank=True)
    success_adoption = models.TextField(blank=True)
    success_cost_limits = models.TextField(blank=True)
    post_launch_owner = models.CharField(max_length=200, blank=True)
    # GenAI evaluation plan (required when the brief involves GenAI)
    eval_groundedness = models.TextField(blank=True)
    eval_hallucination_rate = models.TextField(blank=True)
    eval_retrieval_quality = models.TextField(blank=True)
    eval_cost_per_request = models.TextField(blank=True)
    eval_latency_budget = models.TextField(blank=True)
    # What the person must bring (free text; framework-only lists are flagged, hiring.outcome)
    must_haves = models.TextField(blank=True)

    # AI safety checklist (required for GenAI and agent briefs, shown to agencies;
    # hiring.safety lists the fields and when each applies)
    safety_allowed_data = models.TextField(blank=True)
    safety_blocked_data = models.TextField(blank=True)
    safety_prompt_injection = models.TextField(blank=True)
    safety_logged = models.TextField(blank=True)
    safety_masked = models.TextField(blank=True)
    safety_log_retention_days = models.PositiveIntegerField(null=True, blank=True)
    safety_tools_allowed = models.TextField(blank=True)
    safety_tools_forbidden = models.TextField(blank=True)
    cost_token_limits = models.TextField(blank=True)
    cost_rate_limits = models.TextField(blank=True)
    cost_budget_cap = models.TextField(blank=True)
    cost_caching = models.TextField(blank=True)
    cost_usage_alerts = models.TextField(blank=True)
    safety_fallback = models.TextField(blank=True)
    safety_failure_testing = models.TextField(blank=True)
    # The AI influences approvals, pricing or risk decisions: explainability and bias plan
    decision_impact = models.BooleanField(default=False)
    explainability_plan = models.TextField(blank=True)
    bias_plan = models.TextField(blank=True)
    # Lifecycle after launch
    lifecycle_monitoring_owner = models.CharField(max_length=200, blank=True)
    lifecycle_retraining_cadence = models.CharField(max_length=200, blank=True)
    lifecycle_cost_review_cadence = models.CharField(max_length=200, blank=True)
    lifecycle_safety_testing = models.TextField(blank=True)

    # Scorecard policy: category code -> weight / floor (0-5 or null). Defaults by track.
    scorecard_weights = models.JSONField(default=dict, blank=True)
    scorecard_floors = models.JSONField(default=dict, blank=True)

    headcount = models.PositiveIntegerField(default=1)
    rate_min = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    rate_max = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    rate_currency = models.CharField(max_length=3, default="USD")
    rate_unit = models.CharField(max_length=5, choices=RateUnit.choices, default=RateUnit.HOUR)
    location = models.CharField(max_length=200, blank=True)
    remote_policy = models.CharField(
        max_length=10, choices=RemotePolicy.choices, default=RemotePolicy.REMOTE
    )
    deadline = models.DateField(null=True, blank=True)

    status = models.CharField(
        max_length=10, choices=BriefStatus.choices, default=BriefStatus.DRAFT, db_index=True
    )
    shared_with_all_engaged = models.BooleanField(default=False)
    owner_user_id = models.BigIntegerField(null=True, blank=True)
    # An unready brief opened anyway: who decided and why (also in the audit trail).
    readiness_override_user_id = models.BigIntegerField(null=True, blank=True)
    readiness_override_reason = models.TextField(blank=True)
    readiness_override_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(headcount__gte=1), name="brief_headcount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(rate_min__isnull=True)
                | models.Q(rate_max__isnull=True)
                | models.Q(rate_min__lte=models.F("rate_max")),
                name="brief_rate_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_genai(self) -> bool:
        return Need.GENAI in self.needs or self.uses_llm or self.uses_rag or self.uses_agents


class BriefShare(models.Model):
    """A brief opened to one selected agency (when not shared with all engaged agencies)."""

    brief = models.ForeignKey(RoleBrief, on_delete=models.CASCADE, related_name="shares")
    agency = models.ForeignKey("tenants.Agency", on_delete=models.CASCADE, related_name="+")
    shared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["brief", "agency"], name="one_share_per_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.brief_id} -> {self.agency_id}"
