"""factory-boy factories for every model. Values are unique per call (sequences, faker).

Clients are the exception: a client is a PostgreSQL schema, made by `client_provision`
(tests/conftest.py provisions "alpha" and "beta" once per session), so factories take a
`client=` and never make one. Rows of the tenant schema (hiring, scoring, notifications, api)
are created inside `in_tenant(tenant)`. tests/test_factories.py checks that every model of
the project has a factory here and that two calls give two valid rows.
"""

import base64
import datetime as dt
import secrets
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import (
    AccountSession,
    AgencyInvitation,
    Invitation,
    SignInMethod,
    SsoDomainRole,
    SsoIdentity,
    SsoProvider,
)
from accounts.secrets_at_rest import secret_encrypt
from api.keys import (
    AGENCY_SCOPES,
    CLIENT_SCOPES,
    KEY_MARK,
    PREFIX_LENGTH,
    SECRET_BYTES,
    VISIBLE_ALPHABET,
    VISIBLE_LENGTH,
    key_hash,
)
from api.models import DeliveryStatus, IdempotencyRecord, WebhookDelivery, WebhookSubscription
from audit.models import AuditEntry
from hiring.models import (
    BriefShare,
    BriefStatus,
    Candidate,
    CandidateOwnership,
    ImportJob,
    InterviewAssignment,
    RoleBrief,
    Stage,
    StageChange,
    Submission,
)
from notifications.models import Notification, ReminderLog, ReminderSettings
from outbox.models import OutboxEvent
from scoring.kits import standard_questions
from scoring.models import (
    AgencyAnalytics,
    DecisionKind,
    FloorOverride,
    InterviewKitVersion,
    Recommendation,
    Scorecard,
    ScorecardStatus,
    ScoringSettings,
    Shortlist,
    ShortlistDecision,
    ShortlistEntry,
    VendorReview,
    VendorReviewBasis,
)
from tenants.models import (
    Agency,
    AgencyMembership,
    AgencyRole,
    ApiKey,
    ClientMembership,
    ClientRole,
    Domain,
    Engagement,
    NotificationPreference,
    User,
)

TEST_PASSWORD = "correct horse battery staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save(update_fields=["password"])


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency

    slug = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Faker("company")


class ClientMembershipFactory(DjangoModelFactory):
    class Meta:
        model = ClientMembership

    user = factory.SubFactory(UserFactory)
    role = ClientRole.HIRING_MANAGER


class AgencyMembershipFactory(DjangoModelFactory):
    class Meta:
        model = AgencyMembership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = AgencyRole.RECRUITER


class EngagementFactory(DjangoModelFactory):
    class Meta:
        model = Engagement

    agency = factory.SubFactory(AgencyFactory)
    ownership_window_days = 180


class DomainFactory(DjangoModelFactory):
    """Extra host names for an existing client (clients come from client_provision)."""

    class Meta:
        model = Domain

    domain = factory.Sequence(lambda n: f"extra{n}.example.test")
    is_primary = False


# --- people and sign-in (public schema) ---------------------------------------------------------


class InvitationFactory(DjangoModelFactory):
    """An open invitation to the client's team (pass `agency=` for an agency's)."""

    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.test")
    role = ClientRole.INTERVIEWER
    invited_by = factory.SubFactory(UserFactory)
    link_nonce = factory.LazyFunction(lambda: secrets.token_hex(16))
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))


class SsoProviderFactory(DjangoModelFactory):
    """A client's identity provider (one per client)."""

    class Meta:
        model = SsoProvider
        django_get_or_create = ("client",)

    issuer = factory.Sequence(lambda n: f"https://idp{n}.example.test/realms/hiring")
    oidc_client_id = factory.Sequence(lambda n: f"hiring-{n}")
    client_secret_encrypted = factory.LazyFunction(lambda: secret_encrypt("s3cret-from-the-idp"))
    is_enabled = True


class SsoDomainRoleFactory(DjangoModelFactory):
    class Meta:
        model = SsoDomainRole

    provider = factory.SubFactory(SsoProviderFactory)
    domain = factory.Sequence(lambda n: f"staff{n}.example.test")
    role = ClientRole.INTERVIEWER


class SsoIdentityFactory(DjangoModelFactory):
    class Meta:
        model = SsoIdentity

    provider = factory.SubFactory(SsoProviderFactory)
    subject = factory.Sequence(lambda n: f"subject-{n}")
    user = factory.SubFactory(UserFactory)


class AccountSessionFactory(DjangoModelFactory):
    class Meta:
        model = AccountSession

    user = factory.SubFactory(UserFactory)
    session_key = factory.LazyFunction(lambda: secrets.token_hex(16))
    host = "localhost"
    method = SignInMethod.PASSWORD
    browser = "Chrome on Linux"


class AuditEntryFactory(DjangoModelFactory):
    class Meta:
        model = AuditEntry

    actor_kind = "system"
    actor_ref = "tests"
    action = factory.Sequence(lambda n: f"test.action{n}")
    object_type = "client"
    object_id = factory.Faker("uuid4")


class OutboxEventFactory(DjangoModelFactory):
    class Meta:
        model = OutboxEvent

    event_type = "test.happened"
    aggregate_type = "test"
    aggregate_id = factory.Faker("uuid4")
    payload = factory.LazyFunction(dict)


# --- hiring (tenant schema: create inside `in_tenant(tenant)`) -------------------------------


# Who keeps an AI system healthy after launch (required for AI tracks and GenAI briefs).
LIFECYCLE_PLAN = {
    "lifecycle_monitoring_owner": "Data platform on-call (Maria Lopez)",
    "lifecycle_retraining_cadence": "Monthly, or when the drift alert fires",
    "lifecycle_cost_review_cadence": "Quarterly cost review with finance",
    "lifecycle_safety_testing": "Red-team prompt suite rerun before every release.",
}


def ready_brief_data(**overrides: object) -> dict[str, object]:
    """Field values of a brief that passes every readiness check (non-GenAI)."""
    data: dict[str, object] = {
        "title": "ML engineer for demand forecasting",
        "track": "python_ai_developer",
        "needs": ["ml_features", "pipelines"],
        "business_goal": "Cut stock-outs in our 40 warehouses by forecasting demand per SKU.",
        "kpi_target": "Reduce stock-outs by 25% within two quarters",
        "data_sources_exist": True,
        "data_use_approved": True,
        "privacy_rules": "Sales data only, no customer identifiers leave the warehouse system.",
        "success_impact": "Fewer stock-outs and 10% less safety stock.",
        "success_ai_quality": "MAPE below 15% on the weekly forecast.",
        "success_adoption": "Planners use the forecast for 80% of orders.",
        "success_cost_limits": "Under $2k a month to run.",
        "post_launch_owner": "Data platform team (Maria Lopez)",
        **LIFECYCLE_PLAN,
    }
    data.update(overrides)
    return data


GENAI_EVALUATION_PLAN = {
    "eval_groundedness": "Weekly sample of 200 answers checked against cited sources.",
    "eval_hallucination_rate": "Under 2% unsupported claims on the golden set.",
    "eval_retrieval_quality": "Hit rate at 5 above 0.9 on labelled questions.",
    "eval_cost_per_request": "Below $0.01 per request; 4k token cap.",
    "eval_latency_budget": "p95 under 2 seconds.",
}
# The AI safety checklist a GenAI or agent brief needs before it opens (hiring.safety).
SAFETY_CHECKLIST: dict[str, object] = {
    "safety_allowed_data": "Published help articles and the customer's own open tickets.",
    "safety_blocked_data": "Payment data, health data and other customers' tickets.",
    "safety_prompt_injection": "System rules outside user text; retrieved text is quoted.",
    "safety_logged": "Prompts, retrieved document ids, answers and tool calls.",
    "safety_masked": "E-mail addresses, phone numbers and card numbers are masked.",
    "safety_log_retention_days": 30,
    "safety_tools_allowed": "Read tickets and draft replies for an agent to approve.",
    "safety_tools_forbidden": "Never send e-mail, issue refunds or delete records.",
    "cost_token_limits": "4k tokens in, 800 out per request.",
    "cost_rate_limits": "20 requests a minute per user.",
    "cost_budget_cap": "$1,500 a month, hard stop at the cap.",
    "cost_caching": "Answers to repeated questions cached for a day.",
    "cost_usage_alerts": "Alert the owner at 50% and 80% of the monthly budget.",
    "safety_fallback": "Says it does not know and hands over to a human agent.",
    "safety_failure_testing": "Golden set with bad inputs, edge cases and adversarial prompts.",
}
# Everything a GenAI brief adds to a ready brief: the evaluation plan and the checklist.
GENAI_PLAN: dict[str, object] = {**GENAI_EVALUATION_PLAN, **SAFETY_CHECKLIST}


class RoleBriefFactory(DjangoModelFactory):
    class Meta:
        model = RoleBrief

    title = factory.Sequence(lambda n: f"Brief {n}")
    track = "python_ai_developer"
    needs = factory.LazyFunction(lambda: ["ml_features"])
    status = BriefStatus.OPEN
    shared_with_all_engaged = True
    scorecard_weights = factory.LazyFunction(lambda: {"A": 3, "B": 3, "C": 2, "D": 1, "E": 1})
    scorecard_floors = factory.LazyFunction(dict)


class BriefShareFactory(DjangoModelFactory):
    class Meta:
        model = BriefShare

    brief = factory.SubFactory(RoleBriefFactory)
    agency = factory.SubFactory(AgencyFactory)


class CandidateFactory(DjangoModelFactory):
    class Meta:
        model = Candidate

    full_name = factory.Faker("name")
    email_normalized = factory.Sequence(lambda n: f"candidate{n}@mail.example.test")


class CandidateOwnershipFactory(DjangoModelFactory):
    class Meta:
        model = CandidateOwnership

    candidate = factory.SubFactory(CandidateFactory)
    agency = factory.SubFactory(AgencyFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=180))


class SubmissionFactory(DjangoModelFactory):
    """A submission row. Pass the `agency` of an engagement when the test reads it back as
    that agency (the default is a new agency no client has engaged)."""

    class Meta:
        model = Submission

    brief = factory.SubFactory(RoleBriefFactory)
    candidate = factory.SubFactory(CandidateFactory)
    agency = factory.SubFactory(AgencyFactory)
    # The agency's version of the person: by default the name and email the candidate row
    # recognises.
    full_name = factory.SelfAttribute("candidate.full_name")
    email = factory.SelfAttribute("candidate.email_normalized")
    proof_shipped_solution = "Shipped a churn model to production serving 2M users."
    right_to_represent_confirmed_at = factory.LazyFunction(timezone.now)
    # The candidate said yes (hiring.services.consent): the client sees the contact details.
    consent_state = "confirmed"
    consent_answered_at = factory.LazyFunction(timezone.now)


class StageChangeFactory(DjangoModelFactory):
    class Meta:
        model = StageChange

    submission = factory.SubFactory(SubmissionFactory)
    to_stage = "submitted"
    actor_kind = "system"


class ImportJobFactory(DjangoModelFactory):
    class Meta:
        model = ImportJob

    file = "imports/example.csv"
    file_sha256 = factory.Faker("sha256")


class InterviewAssignmentFactory(DjangoModelFactory):
    """An interviewer asked to score a submission, due in two days. The interviewer is a new
    person without a membership unless the test passes a member."""

    class Meta:
        model = InterviewAssignment

    submission = factory.SubFactory(SubmissionFactory)
    interviewer = factory.SubFactory(UserFactory)
    due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=2))


# --- scoring (tenant schema) ------------------------------------------------------------------


class ScorecardFactory(DjangoModelFactory):
    """A draft scorecard with nothing scored. `ScorecardFactory(submitted=True)` is a
    submitted one with every category scored 3, evidence and a recommendation; pass
    `score_a=...` etc. for other scores. Rows only: no audit entry, no outbox event (use
    `scoring.services.scorecards.scorecard_save` when the test is about those)."""

    class Meta:
        model = Scorecard

    class Params:
        submitted = factory.Trait(
            status=ScorecardStatus.SUBMITTED,
            score_a=3,
            score_b=3,
            score_c=3,
            score_d=3,
            score_e=3,
            evidence_a="Walked through a production incident and its fix.",
            recommendation=Recommendation.YES,
            submitted_at=factory.LazyFunction(timezone.now),
        )

    submission = factory.SubFactory(SubmissionFactory)
    interviewer = factory.SubFactory(UserFactory)
    status = ScorecardStatus.DRAFT


class ShortlistFactory(DjangoModelFactory):
    """A shortlist snapshot with no entries; versions are unique (pass `version=1` for a
    brief's first)."""

    class Meta:
        model = Shortlist

    brief = factory.SubFactory(RoleBriefFactory)
    version = factory.Sequence(lambda n: n + 1)
    inputs_hash = factory.Faker("sha256")
    scorecard_count = 1


class ShortlistEntryFactory(DjangoModelFactory):
    """One ranked candidate of a snapshot; the submission is to the shortlist's brief."""

    class Meta:
        model = ShortlistEntry

    shortlist = factory.SubFactory(ShortlistFactory)
    submission = factory.SubFactory(
        SubmissionFactory, brief=factory.SelfAttribute("..shortlist.brief")
    )
    rank = factory.Sequence(lambda n: n + 1)
    weighted_score = 3.0
    balanced_score = 3.0
    category_means = factory.LazyFunction(lambda: dict.fromkeys("ABCDE", 3.0))
    confidence = 0.5
    scorecard_count = 1
    reason = "Even profile across the five categories."


class FloorOverrideFactory(DjangoModelFactory):
    class Meta:
        model = FloorOverride

    brief = factory.SubFactory(RoleBriefFactory)
    submission = factory.SubFactory(SubmissionFactory, brief=factory.SelfAttribute("..brief"))
    reason = "Security gap is covered by the platform team for the first six months."


class ShortlistDecisionFactory(DjangoModelFactory):
    """An executive's advance from a snapshot (the row only: the stage is not moved)."""

    class Meta:
        model = ShortlistDecision

    shortlist = factory.SubFactory(ShortlistFactory)
    submission = factory.SubFactory(
        SubmissionFactory, brief=factory.SelfAttribute("..shortlist.brief")
    )
    decision = DecisionKind.ADVANCE
    resulting_stage = Stage.INTERVIEW


class AgencyAnalyticsFactory(DjangoModelFactory):
    class Meta:
        model = AgencyAnalytics

    agency = factory.SubFactory(AgencyFactory)
    figures = factory.LazyFunction(lambda: {"submissions": 1, "reached": {"submitted": 1}})


class ScoringSettingsFactory(DjangoModelFactory):
    """The workspace's scoring choices (one row per workspace: create it once)."""

    class Meta:
        model = ScoringSettings

    workspace_evidence = False


# --- notifications (tenant schema) ------------------------------------------------------------


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "scorecard_overdue"
    title = factory.Sequence(lambda n: f"Scorecard overdue ({n})")
    link = "/scorecards/"


class ReminderSettingsFactory(DjangoModelFactory):
    """The workspace's reminder rules (one row per workspace; the model's defaults)."""

    class Meta:
        model = ReminderSettings


class ReminderLogFactory(DjangoModelFactory):
    class Meta:
        model = ReminderLog

    rule = "scorecard_overdue"
    object_key = factory.Sequence(lambda n: f"assignment:{n}")
    period = "2030-01-07"
    recipient = factory.SubFactory(UserFactory)


# --- api (keys in the public schema; the rest in the tenant schema) ----------------------------


def _raw_api_key() -> str:
    visible = "".join(secrets.choice(VISIBLE_ALPHABET) for _ in range(VISIBLE_LENGTH))
    return f"{KEY_MARK}{visible}_{secrets.token_urlsafe(SECRET_BYTES)}"


class ApiKeyFactory(DjangoModelFactory):
    """A working key of `client` (required; with `agency=` an agency's key with the agency
    scopes). The key to present is `api_key.raw_key` on the returned row: it is made and
    hashed the way `api.keys.api_key_create` does it, but without that service's checks
    (engagement, scopes) and audit entry - use the service when the test is about those."""

    class Meta:
        model = ApiKey

    agency = None
    name = factory.Sequence(lambda n: f"Integration {n}")
    raw_key = factory.LazyFunction(_raw_api_key)
    prefix = factory.LazyAttribute(lambda o: o.raw_key[:PREFIX_LENGTH])
    key_hash = factory.LazyAttribute(lambda o: key_hash(o.raw_key))
    scopes = factory.LazyAttribute(
        lambda o: list(AGENCY_SCOPES if o.agency is not None else CLIENT_SCOPES)
    )

    @classmethod
    def _create(cls, model_class: type[ApiKey], *args: Any, **kwargs: Any) -> ApiKey:
        raw_key = kwargs.pop("raw_key")
        api_key = super()._create(model_class, *args, **kwargs)
        api_key.raw_key = raw_key  # type: ignore[attr-defined]
        return api_key

    @classmethod
    def _build(cls, model_class: type[ApiKey], *args: Any, **kwargs: Any) -> ApiKey:
        raw_key = kwargs.pop("raw_key")
        api_key = super()._build(model_class, *args, **kwargs)
        api_key.raw_key = raw_key  # type: ignore[attr-defined]
        return api_key


class NotificationPreferenceFactory(DjangoModelFactory):
    class Meta:
        model = NotificationPreference

    user = factory.SubFactory(UserFactory)
    unsubscribe_token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))


def _webhook_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookSubscriptionFactory(DjangoModelFactory):
    """A subscription to every event type. With `api_key=` (an ApiKey row) it is that key's,
    with the key's agency; without, it names no real key (a row only)."""

    class Meta:
        model = WebhookSubscription

    class Params:
        api_key = None

    api_key_id = factory.LazyAttributeSequence(
        lambda o, n: o.api_key.pk if o.api_key is not None else 900_000_000 + n
    )
    agency_id = factory.LazyAttribute(
        lambda o: o.api_key.agency_id if o.api_key is not None else None
    )
    url = factory.Sequence(lambda n: f"https://hooks.example.test/events/{n}")
    secret = factory.LazyFunction(_webhook_secret)


class WebhookDeliveryFactory(DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    subscription = factory.SubFactory(WebhookSubscriptionFactory)
    event = factory.SubFactory(OutboxEventFactory)
    status = DeliveryStatus.PENDING


class IdempotencyRecordFactory(DjangoModelFactory):
    """A POST still in flight (not completed) under a unique Idempotency-Key."""

    class Meta:
        model = IdempotencyRecord

    api_key_id = factory.Sequence(lambda n: 900_000_000 + n)
    idempotency_key = factory.Faker("uuid4")
    request_fingerprint = factory.Faker("sha256")
    method = "POST"
    path = "/api/v1/submissions/"


class AgencyInvitationFactory(DjangoModelFactory):
    """An open invitation of a new agency by a client (pass `client=`)."""

    class Meta:
        model = AgencyInvitation

    agency_name = factory.Sequence(lambda n: f"Invited Agency {n}")
    email = factory.Sequence(lambda n: f"agency-admin{n}@example.test")
    ownership_window_days = 180
    invited_by = factory.SubFactory(UserFactory)
    link_nonce = factory.LazyFunction(lambda: secrets.token_hex(16))
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))


class InterviewKitVersionFactory(DjangoModelFactory):
    """A stored version of a track's interview kit: the standard questions, a version number
    no other row of the track has."""

    class Meta:
        model = InterviewKitVersion

    track = "python_ai_developer"
    version = factory.Sequence(lambda n: n + 100)
    questions = factory.LazyAttribute(lambda o: standard_questions(o.track))
    change = "The standard kit of this track."


class VendorReviewFactory(DjangoModelFactory):
    """A periodic vendor scorecard of an agency by a reviewer (every category 3, with
    evidence). Rows only: use scoring.services.vendor_reviews.vendor_review_create when the
    test is about the rules, the audit entry or the event."""

    class Meta:
        model = VendorReview

    agency = factory.SubFactory(AgencyFactory)
    reviewer = factory.SubFactory(UserFactory)
    reviewer_role = ClientRole.HIRING_MANAGER
    basis = VendorReviewBasis.PERIOD
    period_start = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=90))
    period_end = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=1))
    score_a = 3
    score_b = 3
    score_c = 3
    score_d = 3
    score_e = 3
    evidence_a = "Two of three candidates shipped models to production."
    evidence_b = "Proof named the datasets and how leakage was avoided."
    evidence_c = "Candidates described rollbacks they ran themselves."
    evidence_d = "Consent was confirmed for every candidate before submission."
    evidence_e = "Answered questions within a day; profiles matched the interviews."
