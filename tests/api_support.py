"""Shared pieces of the partner API tests (tests/test_api_*.py): keys, HTTP clients with a
key, and a small workspace with objects owned by two agencies and the client.

Each test module declares its own small fixtures around `build_world` and
`allow_many_requests`, so that pytest's fixture lookup stays explicit.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.test import Client as HttpClient
from django.utils import timezone
from django_tenants.utils import schema_context

from api.keys import AGENCY_SCOPES, CLIENT_SCOPES, api_key_create, api_key_revoke
from audit.actors import Actor
from hiring.models import BriefShare, BriefStatus
from scoring.models import InterviewKitVersion, ScorecardStatus
from scoring.services.scorecards import scorecard_save
from tenants.models import ApiKey, Client, ClientRole
from tests.factories import (
    AgencyAnalyticsFactory,
    AgencyFactory,
    CandidateFactory,
    CandidateOwnershipFactory,
    ClientMembershipFactory,
    EngagementFactory,
    InterviewAssignmentFactory,
    OutboxEventFactory,
    RoleBriefFactory,
    ScorecardFactory,
    ShortlistDecisionFactory,
    ShortlistEntryFactory,
    ShortlistFactory,
    SubmissionFactory,
    UserFactory,
    WebhookSubscriptionFactory,
    ready_brief_data,
)

PROBLEM = "application/problem+json"


def host_of(tenant: Client) -> str:
    return f"{tenant.slug}.{settings.BASE_DOMAIN}"


def make_key(
    tenant: Client,
    *,
    agency: Any = None,
    scopes: Any = None,
    name: str = "Test integration",
    expires_at: dt.datetime | None = None,
) -> tuple[ApiKey, str]:
    if scopes is None:
        scopes = AGENCY_SCOPES if agency is not None else CLIENT_SCOPES
    return api_key_create(
        client=tenant,
        agency=agency,
        name=name,
        scopes=list(scopes),
        created_by=None,
        expires_at=expires_at,
    )


def api(tenant: Client, raw_key: str | None = None, **headers: str) -> HttpClient:
    """A test client on the tenant's host, sending the key as a bearer token."""
    extra = {"HTTP_HOST": host_of(tenant), **headers}
    if raw_key is not None:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {raw_key}"
    return HttpClient(**extra)


def send(http: HttpClient, method: str, path: str, body: Any = None, **extra: Any) -> Any:
    """One request with a JSON body (for POST/PATCH/PUT)."""
    call = getattr(http, method.lower())
    if method.upper() in ("POST", "PATCH", "PUT", "DELETE") and body is not None:
        return call(path, data=body, content_type="application/json", **extra)
    return call(path, **extra)


PROOF = {
    "shipped_solution": "Shipped a demand forecasting service used by 300 planners daily.",
    "baseline": "Baseline MAPE was 31% with the spreadsheet method the team used before.",
    "improvement": "Brought MAPE to 14% after adding promotions and holiday features.",
    "monitoring": "Weekly drift report on feature distributions and error by region.",
    "quality_dip": "A supplier feed broke in week 3; rolled back and added schema checks.",
}


def submission_body(brief_id: object, *, email: str = "ada@example.test") -> dict[str, Any]:
    return {
        "brief": str(brief_id),
        "candidate": {"full_name": "Ada Lovelace", "email": email, "skills": ["python"]},
        "proof": PROOF,
        "right_to_represent": True,
        "rate_amount": "95.00",
        "rate_currency": "EUR",
    }


@dataclass
class World:
    """Tenant A with two engaged agencies (A and B), keys of every kind, and objects owned by
    each: briefs shared with all / with A only / with B only / a draft; a submission of
    each agency; scorecards (submitted, an interviewer's draft, a draft the client key
    wrote); a shortlist; a webhook subscription of each key."""

    tenant: Client
    other_tenant: Client
    agency_a: Any
    agency_b: Any
    keys: dict[str, tuple[ApiKey, str]] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)
    people: dict[str, Any] = field(default_factory=dict)

    def raw(self, caller: str) -> str:
        return self.keys[caller][1]

    def key(self, caller: str) -> ApiKey:
        return self.keys[caller][0]

    def id_of(self, label: str) -> str:
        return str(self.objects[label].public_id)

    def client_key_without(self, scope: str) -> str:
        label = f"client_without:{scope}"
        if label not in self.keys:
            scopes = [s for s in CLIENT_SCOPES if s != scope]
            self.keys[label] = make_key(self.tenant, scopes=scopes, name=f"without {scope}")
        return self.keys[label][1]


def build_world(tenant: Client, other_tenant: Client) -> World:
    agency_a, agency_b = AgencyFactory(name="Agency A"), AgencyFactory(name="Agency B")
    EngagementFactory(client=tenant, agency=agency_a)
    EngagementFactory(client=tenant, agency=agency_b)
    world = World(tenant=tenant, other_tenant=other_tenant, agency_a=agency_a, agency_b=agency_b)
    world.keys["client"] = make_key(tenant, name="Client HR system")
    world.keys["agency_a"] = make_key(tenant, agency=agency_a, name="Agency A ATS")
    world.keys["agency_b"] = make_key(tenant, agency=agency_b, name="Agency B ATS")
    world.keys["other_client"] = make_key(other_tenant, name="Other client's system")
    revoked = make_key(tenant, name="Old integration")
    api_key_revoke(api_key=revoked[0], revoked_by=None)
    world.keys["revoked"] = revoked

    interviewer = UserFactory(name="Ines Interviewer")
    second = UserFactory(name="Sam Second")
    third = UserFactory(name="Tara Third")
    for person in (interviewer, second, third):
        ClientMembershipFactory(user=person, client=tenant, role=ClientRole.INTERVIEWER)
    world.people.update(interviewer=interviewer, second=second, third=third)

    ready = ready_brief_data()
    with schema_context(tenant.schema_name):
        briefs = {
            "brief_all": RoleBriefFactory(**ready, shared_with_all_engaged=True),
            "brief_a_only": RoleBriefFactory(**ready, shared_with_all_engaged=False),
            "brief_b_only": RoleBriefFactory(**ready, shared_with_all_engaged=False),
            "brief_draft": RoleBriefFactory(
                **ready, status=BriefStatus.DRAFT, shared_with_all_engaged=False
            ),
        }
        BriefShare.objects.create(brief=briefs["brief_a_only"], agency=agency_a)
        BriefShare.objects.create(brief=briefs["brief_b_only"], agency=agency_b)
        world.objects.update(briefs)
        for label, agency in (("a", agency_a), ("b", agency_b)):
            candidate = CandidateFactory()
            CandidateOwnershipFactory(candidate=candidate, agency=agency)
            submission = SubmissionFactory(
                brief=briefs["brief_all"], candidate=candidate, agency=agency
            )
            world.objects[f"cand_{label}"] = candidate
            world.objects[f"sub_{label}"] = submission
        for person, submission in (
            (interviewer, "sub_a"),
            (interviewer, "sub_b"),
            (second, "sub_a"),
            (third, "sub_a"),
        ):
            InterviewAssignmentFactory(submission=world.objects[submission], interviewer=person)
        world.objects["card_submitted"] = ScorecardFactory(
            submission=world.objects["sub_a"],
            interviewer=second,
            status=ScorecardStatus.SUBMITTED,
            score_a=4,
            score_b=3,
            recommendation="yes",
            submitted_at=timezone.now(),
        )
        world.objects["card_ui_draft"] = ScorecardFactory(
            submission=world.objects["sub_b"], interviewer=interviewer, score_a=2
        )
        client_key = world.key("client")
        world.objects["card_key_draft"] = scorecard_save(
            actor=Actor(
                kind="api_key",
                user_id=interviewer.pk,
                ref=client_key.prefix,
                api_key_id=client_key.pk,
            ),
            submission=world.objects["sub_a"],
            data={"score_a": 3, "evidence_a": "Walked through their rollback plan."},
        )
        shortlist = ShortlistFactory(brief=briefs["brief_all"], version=1)
        ShortlistEntryFactory(
            shortlist=shortlist,
            submission=world.objects["sub_a"],
            rank=1,
            weighted_score=3.6,
            balanced_score=3.4,
            category_means={"A": 4.0, "B": 3.0, "C": None, "D": None, "E": None},
            confidence=0.4,
            reason="Strongest on applied AI delivery (4).",
        )
        world.objects["shortlist"] = shortlist
        world.objects["decision"] = ShortlistDecisionFactory(
            shortlist=shortlist, submission=world.objects["sub_a"]
        )
        # Saving the scorecard above stored the standard kits (version 1 of every track).
        world.objects["kit"] = InterviewKitVersion.objects.get(
            track=briefs["brief_all"].track, version=1
        )
        for agency in (agency_a, agency_b):
            AgencyAnalyticsFactory(agency=agency)
        for label, agency_id in (("event_a", agency_a.pk), ("event_b", agency_b.pk)):
            submission = world.objects[f"sub_{label[-1]}"]
            world.objects[label] = OutboxEventFactory(
                event_type="submission.created",
                aggregate_type="submission",
                aggregate_id=str(submission.public_id),
                payload={"submission_id": str(submission.public_id), "stage": "submitted"},
                agency_id=agency_id,
            )
        world.objects["event_client"] = OutboxEventFactory(
            event_type="brief.opened",
            aggregate_type="brief",
            aggregate_id=str(briefs["brief_all"].public_id),
            payload={"brief_id": str(briefs["brief_all"].public_id), "status": "open"},
        )
        for label, caller in (
            ("hook_client", "client"),
            ("hook_agency_a", "agency_a"),
            ("hook_agency_b", "agency_b"),
        ):
            world.objects[label] = WebhookSubscriptionFactory(
                api_key=world.key(caller),
                url="https://93.184.215.14/hooks",
                secret="whsec_" + "A" * 44,
            )
    return world


def allow_many_requests(settings: Any) -> None:
    """A rate limit no test other than the throttling one reaches (pass pytest-django's
    `settings` fixture)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": "100000/min"},
    }
