"""factory-boy factories for every model. Values are unique per call (sequences, faker)."""

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from audit.models import AuditEntry
from hiring.models import (
    BriefShare,
    BriefStatus,
    Candidate,
    CandidateOwnership,
    ImportJob,
    InterviewAssignment,
    RoleBrief,
    StageChange,
    Submission,
)
from outbox.models import OutboxEvent
from tenants.models import (
    Agency,
    AgencyMembership,
    AgencyRole,
    ClientMembership,
    ClientRole,
    Domain,
    Engagement,
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
    }
    data.update(overrides)
    return data


GENAI_PLAN = {
    "eval_groundedness": "Weekly sample of 200 answers checked against cited sources.",
    "eval_hallucination_rate": "Under 2% unsupported claims on the golden set.",
    "eval_retrieval_quality": "Hit rate at 5 above 0.9 on labelled questions.",
    "eval_cost_per_request": "Below $0.01 per request; 4k token cap.",
    "eval_latency_budget": "p95 under 2 seconds.",
}


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


class CandidateFactory(DjangoModelFactory):
    class Meta:
        model = Candidate

    full_name = factory.Faker("name")
    email_normalized = factory.Sequence(lambda n: f"candidate{n}@mail.example.test")


class CandidateOwnershipFactory(DjangoModelFactory):
    class Meta:
        model = CandidateOwnership

    candidate = factory.SubFactory(CandidateFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=180))


class SubmissionFactory(DjangoModelFactory):
    class Meta:
        model = Submission

    brief = factory.SubFactory(RoleBriefFactory)
    candidate = factory.SubFactory(CandidateFactory)
    # The agency's version of the person: by default the name and email the candidate row
    # recognises.
    full_name = factory.SelfAttribute("candidate.full_name")
    email = factory.SelfAttribute("candidate.email_normalized")
    proof_shipped_solution = "Shipped a churn model to production serving 2M users."
    right_to_represent_confirmed_at = factory.LazyFunction(timezone.now)


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
    class Meta:
        model = InterviewAssignment

    submission = factory.SubFactory(SubmissionFactory)
    interviewer = factory.SubFactory(UserFactory)
    due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=2))
