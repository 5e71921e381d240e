"""Exact query counts of every list page, every partner API list endpoint and the busy writes,
each measured with 1 and with 100 rows and required to be the same pinned number
(tests/query_counts.py, Launchpad's two-run check).

A count that changes is a change to look at: one that grew with the rows is an N+1 to fix
with select_related, prefetch_related or an annotation; one that moved for another reason
(a new query on every page, one saved) is pinned anew here, with the reason in the commit.

Pages are requested as the person of each role the page serves (client roles, and one
agency role where agencies see it too); API lists with a client key and, where agencies may
list, an agency key; writes are service calls inside the tenant's schema, with 1 and with
100 rows of their kind already in the workspace.

What every page costs before its own work: `SET search_path` to public and the host's domain
look-up, `SET search_path` to the tenant's schema, the session, the user, the client
membership, and the header's count of unread notifications (7); an agency role adds its
agency membership and the engagement (9). An API request: the same two `SET search_path`
around the domain look-up, then the key (4); an agency key adds the engagement.
"""

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.actors import Actor
from hiring.models import ImportStatus, RoleBrief, Stage, StageChange, Submission
from hiring.services.submissions import submission_create
from scoring.services.scorecards import scorecard_save
from scoring.services.shortlists import shortlist_compute
from tenants.models import Agency, Client, EngagementStatus
from tests.api_support import PROOF, api
from tests.conftest import Acting
from tests.factories import (
    AgencyAnalyticsFactory,
    AgencyInvitationFactory,
    ApiKeyFactory,
    AuditEntryFactory,
    BriefShareFactory,
    CandidateFactory,
    CandidateOwnershipFactory,
    ClientMembershipFactory,
    EngagementFactory,
    FloorOverrideFactory,
    ImportJobFactory,
    InterviewAssignmentFactory,
    InterviewKitVersionFactory,
    NotificationFactory,
    OutboxEventFactory,
    RoleBriefFactory,
    ScorecardFactory,
    ShortlistDecisionFactory,
    ShortlistEntryFactory,
    ShortlistFactory,
    StageChangeFactory,
    SubmissionFactory,
    UserFactory,
    VendorReviewFactory,
    WebhookSubscriptionFactory,
    ready_brief_data,
)
from tests.query_counts import (
    assert_query_count,
    assert_query_count_flat,
    assert_same_query_count,
)

pytestmark = pytest.mark.django_db

# The count of a page is the same for every client role unless the page shows a role more.
CLIENT_ROLES = ("admin", "hiring_manager", "interviewer", "executive")


def rows_of(tenant: Client, make: Callable[[int], object]) -> Callable[[int], None]:
    """`add_rows` for the helper: `make(index)` once per new row, inside the tenant's schema,
    with indexes that go on from one call to the next."""
    indexes = itertools.count()

    def add(count: int) -> None:
        with schema_context(tenant.schema_name):
            for _ in range(count):
                make(next(indexes))

    return add


def page(acting: Acting, path: str, query: dict[str, str] | None = None) -> Callable[[], Any]:
    def get() -> Any:
        response = acting.http.get(path, query or {})
        assert response.status_code == 200, (path, response.status_code)
        return response

    return get


def engaged_agency(tenant: Client, acting: Acting) -> Agency:
    """The agency whose rows the person sees: their own, or one the client engaged."""
    return acting.agency or EngagementFactory(client=tenant).agency


def submission_of(agency: Agency, *, seen_by: Acting | None = None, **fields: Any) -> Any:
    """A submission with its first stage change, the way submission_create leaves it. An
    interviewer `seen_by` is assigned to it: interviewers reach only what they score."""
    submission = SubmissionFactory(agency=agency, **fields)
    StageChangeFactory(submission=submission, to_stage=submission.stage)
    if seen_by is not None and seen_by.role == "interviewer":
        InterviewAssignmentFactory(submission=submission, interviewer=seen_by.user)
    return submission


# --- list pages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "queries"),
    [("admin", 9), ("hiring_manager", 9), ("interviewer", 9), ("executive", 9), ("recruiter", 11)],
)
def test_brief_list(tenant_a, as_role, role, queries):
    acting = as_role(tenant_a, role)
    agency = engaged_agency(tenant_a, acting)

    def brief(index: int) -> None:
        # Half shared with every engaged agency, half with this one by name.
        shared = RoleBriefFactory(**ready_brief_data(), shared_with_all_engaged=index % 2 == 0)
        if index % 2:
            BriefShareFactory(brief=shared, agency=agency)
        submission_of(agency, brief=shared, seen_by=acting)

    few, many = assert_query_count_flat(
        queries,
        add_rows=rows_of(tenant_a, brief),
        run=page(acting, reverse("hiring:brief_list")),
        label=f"brief list as {role}",
    )
    assert len(few.context["rows"]) == 1
    assert len(many.context["rows"]) == 50  # one page of the 100


@pytest.mark.parametrize(
    ("role", "queries"),
    [
        ("admin", 11),
        ("hiring_manager", 11),
        ("interviewer", 10),
        ("executive", 10),
        ("recruiter", 11),
    ],
)
def test_brief_detail_with_its_submissions(tenant_a, as_role, role, queries):
    acting = as_role(tenant_a, role)
    agency = engaged_agency(tenant_a, acting)
    with schema_context(tenant_a.schema_name):
        brief = RoleBriefFactory(**ready_brief_data(), shared_with_all_engaged=False)
        BriefShareFactory(brief=brief, agency=agency)

    def submission(index: int) -> None:
        submission_of(
            agency,
            brief=brief,
            stage=Stage.values[index % len(Stage.values)],
            seen_by=acting,
        )

    few, many = assert_query_count_flat(
        queries,
        add_rows=rows_of(tenant_a, submission),
        run=page(acting, reverse("hiring:brief_detail", args=[brief.public_id])),
        label=f"brief detail as {role}",
    )
    assert (len(few.context["submissions"]), len(many.context["submissions"])) == (1, 100)


SUBMISSION_LIST_CASES = [
    *[(role, "", 11) for role in CLIENT_ROLES],
    ("recruiter", "", 12),
    ("admin", "brief", 11),
    ("admin", "stage", 11),
    ("admin", "agency", 11),
    ("recruiter", "brief", 12),
    ("recruiter", "stage", 12),
    # Text search (hiring.search) adds no query: it narrows the same ones.
    ("admin", "search", 11),
    ("interviewer", "search", 11),
    ("recruiter", "search", 12),
    ("admin", "search_sorted", 11),
]


@pytest.mark.parametrize(("role", "filtered_by", "queries"), SUBMISSION_LIST_CASES)
def test_submission_list(tenant_a, as_role, role, filtered_by, queries):
    acting = as_role(tenant_a, role)
    agency = engaged_agency(tenant_a, acting)
    with schema_context(tenant_a.schema_name):
        chosen = RoleBriefFactory()
        # A row the filter leaves out (and, for an agency, another agency's row it never sees).
        submission_of(EngagementFactory(client=tenant_a).agency, brief=RoleBriefFactory())
        if acting.agency is None:
            submission_of(agency, brief=RoleBriefFactory(), stage=Stage.SUBMITTED, seen_by=acting)
    query = {
        "": {},
        "brief": {"brief": str(chosen.public_id)},
        "stage": {"stage": Stage.INTERVIEW},
        "agency": {"agency": str(agency.public_id)},
        "search": {"q": "Person"},
        "search_sorted": {"q": "Person", "sort": "-candidate", "stage": Stage.INTERVIEW},
    }[filtered_by]

    def submission(index: int) -> None:
        brief = chosen if filtered_by == "brief" or index % 2 else RoleBriefFactory()
        submission_of(
            agency,
            brief=brief,
            stage=Stage.INTERVIEW,
            seen_by=acting,
            full_name=f"Person {index}",
        )

    few, many = assert_query_count_flat(
        queries,
        add_rows=rows_of(tenant_a, submission),
        run=page(acting, reverse("hiring:submission_list"), query),
        label=f"submission list as {role}, filtered by {filtered_by or 'nothing'}",
    )
    listed = len(few.context["page"].object_list), len(many.context["page"].object_list)
    # The rows added, and those of the setup the filter keeps.
    # (The setup's row of another agency is not assigned to an interviewer, so not theirs.)
    unfiltered = 0 if acting.agency else 1 if role == "interviewer" else 2
    kept_from_setup = {"": unfiltered, "agency": 1}.get(filtered_by, 0)
    assert listed == (1 + kept_from_setup, 50)


@pytest.mark.parametrize(("role", "queries"), [("admin", 9), ("recruiter", 11)])
def test_brief_list_searched_filtered_and_sorted(tenant_a, as_role, role, queries):
    acting = as_role(tenant_a, role)
    agency = engaged_agency(tenant_a, acting)

    def brief(index: int) -> None:
        found = RoleBriefFactory(
            **ready_brief_data(title=f"Zephyrine engineer {index}"), shared_with_all_engaged=True
        )
        submission_of(agency, brief=found, seen_by=acting)
        RoleBriefFactory(**ready_brief_data(title=f"Support assistant {index}"))

    query = {"q": "zephyrine", "track": "python_ai_developer", "sort": "-submissions"}
    few, many = assert_query_count_flat(
        queries,
        add_rows=rows_of(tenant_a, brief),
        run=page(acting, reverse("hiring:brief_list"), query),
        label=f"brief list searched as {role}",
    )
    assert len(few.context["rows"]) == 1
    assert len(many.context["rows"]) == 50
    assert all("Zephyrine" in row["brief"].title for row in many.context["rows"])


@pytest.mark.parametrize(("role", "queries"), [("admin", 11), ("executive", 11)])
@pytest.mark.parametrize("query", [{}, {"q": "Person", "sort": "name"}])
def test_candidate_list(tenant_a, as_role, role, queries, query):
    """One row per person with each agency's version (one prefetch, whatever the count)."""
    acting = as_role(tenant_a, role)
    agencies = [EngagementFactory(client=tenant_a).agency for _ in range(2)]

    def person(index: int) -> None:
        candidate = CandidateFactory(full_name=f"Person {index}")
        for agency in agencies:
            submission_of(agency, brief=RoleBriefFactory(), candidate=candidate)

    few, many = assert_query_count_flat(
        queries,
        add_rows=rows_of(tenant_a, person),
        run=page(acting, reverse("hiring:candidate_list"), query),
        label=f"candidates as {role}",
    )
    rows = list(many.context["page"].object_list)
    assert (len(few.context["page"].object_list), len(rows)) == (1, 50)
    assert all(len(row.versions) == 2 for row in rows)


@pytest.mark.parametrize(("role", "queries"), [(role, 9) for role in CLIENT_ROLES])
def test_scorecard_queue(tenant_a, as_role, role, queries):
    acting = as_role(tenant_a, role)
    agency = engaged_agency(tenant_a, acting)

    def assignment(index: int) -> None:
        submission = submission_of(agency, brief=RoleBriefFactory(), stage=Stage.INTERVIEW)
        InterviewAssignmentFactory(submission=submission, interviewer=acting.user)
        if index % 3 == 1:
            ScorecardFactory(submission=submission, interviewer=acting.user, score_a=3)
        elif index % 3 == 2:
            ScorecardFactory(submission=submission, interviewer=acting.user, submitted=True)

    few, many = assert_query_count_flat(
        queries,
        add_rows=rows_of(tenant_a, assignment),
        run=page(acting, reverse("scoring:queue")),
        label=f"scorecard queue as {role}",
    )
    for response, listed in ((few, 1), (many, 100)):
        assert len(response.context["to_score"]) + len(response.context["done"]) == listed


@pytest.mark.parametrize(
    ("role", "queries"), [(r, 11) for r in ("admin", "hiring_manager", "executive")]
)
def test_submission_scorecards(tenant_a, as_role, role, queries):
    acting = as_role(tenant_a, role)
    agency = engaged_agency(tenant_a, acting)
    with schema_context(tenant_a.schema_name):
        submission = submission_of(agency, brief=RoleBriefFactory(), stage=Stage.INTERVIEW)

    def scorecard(index: int) -> None:
        # Every interviewer asked; half have submitted, a quarter have a draft, the rest
        # are still waited for.
        interviewer = ClientMembershipFactory(client=tenant_a, role="interviewer").user
        InterviewAssignmentFactory(submission=submission, interviewer=interviewer)
        if index % 2 == 0:
            ScorecardFactory(submission=submission, interviewer=interviewer, submitted=True)
        elif index % 4 == 1:
            ScorecardFactory(submission=submission, interviewer=interviewer, score_a=2)

    few, many = assert_query_count_flat(
        queries,
        add_rows=rows_of(tenant_a, scorecard),
        run=page(acting, reverse("scoring:submission_scorecards", args=[submission.public_id])),
        label=f"scorecards of a submission as {role}",
    )
    assert (few.context["submitted_count"], many.context["submitted_count"]) == (1, 50)
    assert len(many.context["waiting"]) == 50


@pytest.mark.parametrize(("role", "queries"), [("admin", 10), ("hiring_manager", 10)])
def test_submission_interviewers(tenant_a, as_role, role, queries):
    acting = as_role(tenant_a, role)
    agency = engaged_agency(tenant_a, acting)
    with schema_context(tenant_a.schema_name):
        submission = submission_of(agency, brief=RoleBriefFactory(), stage=Stage.INTERVIEW)

    def assignment(index: int) -> None:
        # An interviewer asked (some with a draft or a submitted scorecard), and one who
        # could still be asked (the form's choices).
        asked = ClientMembershipFactory(client=tenant_a, role="interviewer").user
        InterviewAssignmentFactory(submission=submission, interviewer=asked)
        if index % 3 == 1:
            ScorecardFactory(submission=submission, interviewer=asked, score_a=2)
        elif index % 3 == 2:
            ScorecardFactory(submission=submission, interviewer=asked, submitted=True)
        ClientMembershipFactory(client=tenant_a, role="interviewer")

    url = reverse("scoring:submission_interviewers", args=[submission.public_id])
    few, many = assert_query_count_flat(
        queries,
        add_rows=rows_of(tenant_a, assignment),
        run=page(acting, url),
        label=f"interviewers of a submission as {role}",
    )
    assert (len(few.context["assignments"]), len(many.context["assignments"])) == (1, 100)


@pytest.mark.parametrize(
    # The blind-scoring check (scoring.selectors.blind_assignments) is one query; the
    # interviewers' habits (one query for their names), the ranking without calibration
    # beside it (one), and the candidates not ranked yet (a count and the first ten) four more.
    ("role", "queries"),
    [(r, 22) for r in ("admin", "hiring_manager", "executive")],
)
def test_brief_shortlist(tenant_a, as_role, role, queries):
    """The ranking as the engine computes it from submitted scorecards, with floor overrides
    and decisions on some candidates."""
    acting = as_role(tenant_a, role)
    agency = engaged_agency(tenant_a, acting)
    decider = as_role(tenant_a, "executive").user
    interviewer = UserFactory()
    to_decide: list[Any] = []
    with schema_context(tenant_a.schema_name):
        brief = RoleBriefFactory(**ready_brief_data(), scorecard_floors={"E": 3})

    def candidate(index: int) -> None:
        submission = submission_of(agency, brief=brief, stage=Stage.INTERVIEW)
        # Every other candidate is under the E floor, so override forms are on the page.
        ScorecardFactory(
            submission=submission,
            interviewer=interviewer,
            submitted=True,
            score_a=4,
            score_e=1 if index % 2 == 0 else 4,
        )
        if index % 3 == 0:
            FloorOverrideFactory(brief=brief, submission=submission, decided_by_user_id=decider.pk)
        if index % 4 == 0:
            to_decide.append(submission)

    add_candidates = rows_of(tenant_a, candidate)

    def add_and_compute(count: int) -> None:
        add_candidates(count)
        with schema_context(tenant_a.schema_name):
            snapshot = shortlist_compute(brief=brief)
            while to_decide:
                ShortlistDecisionFactory(
                    shortlist=snapshot, submission=to_decide.pop(), decided_by_user_id=decider.pk
                )

    few, many = assert_query_count_flat(
        queries,
        add_rows=add_and_compute,
        run=page(acting, reverse("scoring:brief_shortlist", args=[brief.public_id])),
        label=f"shortlist as {role}",
    )
    assert (len(few.context["rows"]), len(many.context["rows"])) == (1, 50)
    assert many.context["page"].paginator.count == 100


@pytest.mark.parametrize(("role", "queries"), [("executive", 12), ("hiring_manager", 12)])
def test_shortlist_history(tenant_a, as_role, role, queries):
    """Every version with why it was computed (one annotated query), and what changed
    between the latest two (their entries, one query each), with 1 + 1 and 1 + 100
    versions (the first is there from the start, so both runs show a change)."""
    acting = as_role(tenant_a, role)
    agency = engaged_agency(tenant_a, acting)
    with schema_context(tenant_a.schema_name):
        brief = RoleBriefFactory(**ready_brief_data())
        people = [submission_of(agency, brief=brief, full_name=f"P{i}") for i in range(3)]
    versions = itertools.count(1)

    def version(index: int) -> None:
        snapshot = ShortlistFactory(brief=brief, version=next(versions), scorecard_count=index)
        for rank, person in enumerate(people[index % 3 :] + people[: index % 3], start=1):
            ShortlistEntryFactory(shortlist=snapshot, submission=person, rank=rank)

    rows_of(tenant_a, lambda index: version(index + 1))(1)

    few, many = assert_query_count_flat(
        queries,
        add_rows=rows_of(tenant_a, version),
        run=page(acting, reverse("scoring:shortlist_history", args=[brief.public_id])),
        label=f"shortlist history as {role}",
    )
    assert (len(few.context["rows"]), len(many.context["rows"])) == (2, 101)
    assert many.context["diff"]["moved_count"] == 3


@pytest.mark.parametrize(("role", "queries"), [("executive", 12)])
def test_shortlist_compare(tenant_a, as_role, role, queries):
    """Four candidates side by side with all their scorecards: the same queries for one
    scorecard each as for a hundred."""
    acting = as_role(tenant_a, role)
    agency = engaged_agency(tenant_a, acting)
    with schema_context(tenant_a.schema_name):
        brief = RoleBriefFactory(**ready_brief_data())
        people = [submission_of(agency, brief=brief, stage=Stage.INTERVIEW) for _ in range(4)]
        snapshot = ShortlistFactory(brief=brief, version=1)
        for rank, person in enumerate(people, start=1):
            ShortlistEntryFactory(shortlist=snapshot, submission=person, rank=rank)
    query = {"s": [str(person.public_id) for person in people]}

    def scorecard(index: int) -> None:
        ScorecardFactory(submission=people[index % 4], interviewer=UserFactory(), submitted=True)

    _, many = assert_query_count_flat(
        queries,
        add_rows=rows_of(tenant_a, scorecard),
        run=page(acting, reverse("scoring:shortlist_compare", args=[brief.public_id]), query),
        label=f"compare as {role}",
    )
    assert len(many.context["compared"]) == 4
    assert sum(len(c.interviewers) for c in many.context["compared"]) == 100


def _figures(index: int) -> dict[str, Any]:
    return {
        "submissions": 10 + index,
        "reached": {"submitted": 10 + index, "interview": 4, "shortlisted": 2, "hired": 1},
        "pass_through": {"interview": 0.4, "shortlisted": 0.5, "hired": 0.5},
        "median_hours_to_first_submission": 30.0,
        "average_scores": {"A": 3.5, "B": 3.0, "C": 4.0, "D": 2.5, "E": 3.0},
        "scorecards": 12,
        "conflicts": {"candidate_owned_by_another_agency": 1, "duplicate_submission": 0},
    }


@pytest.mark.parametrize(
    ("role", "queries"),
    # Client roles: one more query, for whom the viewer is blind on (blind scoring). Every
    # role: one query for the vendor scorecards of all the agencies shown.
    [("admin", 10), ("hiring_manager", 10), ("executive", 10), ("recruiter", 11)],
)
def test_agency_analytics(tenant_a, as_role, role, queries):
    acting = as_role(tenant_a, role)

    def figures(index: int) -> None:
        # The agency's own row first; then other agencies', which only clients see.
        agency = acting.agency if index == 0 and acting.agency else None
        agency = agency or EngagementFactory(client=tenant_a).agency
        AgencyAnalyticsFactory(agency=agency, figures=_figures(index))
        VendorReviewFactory(agency=agency)

    few, many = assert_query_count_flat(
        queries,
        add_rows=rows_of(tenant_a, figures),
        run=page(acting, reverse("scoring:agency_analytics")),
        label=f"agency analytics as {role}",
    )
    shown = 1 if acting.agency is not None else 100
    assert (len(few.context["rows"]), len(many.context["rows"])) == (1, shown)


@pytest.mark.parametrize(("role", "queries"), [*[(r, 10) for r in CLIENT_ROLES], ("recruiter", 15)])
def test_notification_list(tenant_a, as_role, role, queries):
    acting = as_role(tenant_a, role)
    agency = engaged_agency(tenant_a, acting)
    long_ago = timezone.now() - dt.timedelta(days=10)

    def notification(index: int) -> None:
        NotificationFactory(recipient=acting.user, read_at=timezone.now() if index % 2 else None)
        # What an agency's page also lists: its submissions waiting for the client.
        submission_of(agency, brief=RoleBriefFactory(), stage_changed_at=long_ago)

    few, many = assert_query_count_flat(
        queries,
        add_rows=rows_of(tenant_a, notification),
        run=page(acting, reverse("notifications:list")),
        label=f"notifications as {role}",
    )
    assert len(few.context["page"].object_list) == 1
    assert len(many.context["page"].object_list) == many.context["page"].paginator.per_page
    if acting.agency is not None:
        assert (len(few.context["awaiting_client"]), len(many.context["awaiting_client"])) == (
            1,
            100,
        )


@pytest.mark.parametrize(("role", "queries"), [("hiring_manager", 7), ("recruiter", 9)])
def test_notification_badge(tenant_a, as_role, role, queries):
    """The header's unread count, polled every few seconds: one COUNT on the partial index,
    whatever the number of notifications."""
    acting = as_role(tenant_a, role)

    def notification(index: int) -> None:
        NotificationFactory(recipient=acting.user, read_at=timezone.now() if index % 2 else None)

    few, many = assert_query_count_flat(
        queries,
        add_rows=rows_of(tenant_a, notification),
        run=page(acting, reverse("notifications:badge")),
        label=f"unread badge as {role}",
    )
    assert few.context["unread_notifications"] == 1
    assert many.context["unread_notifications"] == 50


@pytest.mark.parametrize(
    ("role", "queries"), [("admin", 8), ("hiring_manager", 8), ("recruiter", 10)]
)
def test_import_list(tenant_a, as_role, role, queries):
    acting = as_role(tenant_a, role)
    agency = engaged_agency(tenant_a, acting)
    states = itertools.cycle([ImportStatus.DONE, ImportStatus.RUNNING, ImportStatus.FAILED])

    def job(index: int) -> None:
        ImportJobFactory(uploaded_by_user_id=acting.user.pk, agency=agency, status=next(states))

    few, many = assert_query_count_flat(
        queries,
        add_rows=rows_of(tenant_a, job),
        run=page(acting, reverse("imports:list")),
        label=f"imports as {role}",
    )
    assert (len(few.context["jobs"]), len(many.context["jobs"])) == (1, 100)


@pytest.mark.parametrize(("role", "queries"), [("admin", 8), ("agency_admin", 10)])
def test_api_key_list(tenant_a, as_role, role, queries):
    acting = as_role(tenant_a, role)
    now = timezone.now()
    # A client admin also sees (and may revoke) the keys of engaged agencies.
    engaged = acting.agency or EngagementFactory(client=tenant_a).agency

    def key(index: int) -> None:
        ApiKeyFactory(
            client=tenant_a,
            agency=engaged if acting.agency or index % 2 else None,
            created_by_user_id=acting.user.pk,
            last_used_at=now if index % 2 else None,
            revoked_at=now if index % 3 == 1 else None,
            expires_at=now - dt.timedelta(days=1) if index % 3 == 2 else None,
        )

    few, many = assert_query_count_flat(
        queries,
        add_rows=rows_of(tenant_a, key),
        run=page(acting, reverse("api:key_list")),
        label=f"API keys as {role}",
    )
    assert (len(few.context["rows"]), len(many.context["rows"])) == (1, 100)


@pytest.mark.parametrize(("role", "queries"), [("admin", 21), ("executive", 21)])
def test_audit_trail(tenant_a, as_role, role, queries):
    # 7 for every page; the "Who" choices (2); the page of entries and its count (2); one
    # look-up per kind named: people, the API key acting, agencies, candidates, submissions,
    # briefs, scorecards, engagements, agency invitations, API keys as objects (10).
    """The trail names people, keys, candidates, submissions, briefs, scorecards and
    engagements in one query per kind, however many rows the page has."""
    acting = as_role(tenant_a, role)
    engagement = EngagementFactory(client=tenant_a)
    key = ApiKeyFactory(client=tenant_a)

    def entries(index: int) -> None:
        person = UserFactory()
        submission = submission_of(engagement.agency)
        scorecard = ScorecardFactory(submission=submission, interviewer=person)
        for action, object_type, object_id, details in (
            (
                "candidate.pii_viewed",
                "candidate",
                submission.candidate.public_id,
                {"purpose": "submission_detail"},
            ),
            (
                "submission.stage_changed",
                "submission",
                submission.public_id,
                {"from": "submitted", "to": "screening"},
            ),
            ("brief.opened", "brief", submission.brief.public_id, {}),
            ("scorecard.submitted", "scorecard", scorecard.public_id, {}),
            (
                "engagement.paused",
                "engagement",
                engagement.public_id,
                {"agency": engagement.agency_id},
            ),
            (
                "engagement.invitation_sent",
                "agency_invitation",
                AgencyInvitationFactory(client=tenant_a).public_id,
                {"ownership_window_days": 180, "fee_percent": None},
            ),
        ):
            AuditEntryFactory(
                actor_kind="user",
                actor_user_id=person.pk,
                actor_ref="",
                action=action,
                object_type=object_type,
                object_id=str(object_id),
                details=details,
            )
        AuditEntryFactory(
            actor_kind="api_key",
            actor_ref=key.prefix,
            action="api_key.revoked",
            object_type="api_key",
            object_id=str(key.public_id),
        )

    few, many = assert_query_count_flat(
        queries,
        add_rows=rows_of(tenant_a, entries),
        run=page(acting, reverse("administration:audit_trail")),
        label=f"audit trail as {role}",
    )
    assert (len(few.context["rows"]), len(many.context["rows"])) == (7, 50)


def test_engagement_list(tenant_a, as_role):
    acting = as_role(tenant_a, "admin")

    def engagement(index: int) -> None:
        submission_of(EngagementFactory(client=tenant_a).agency)
        AgencyInvitationFactory(client=tenant_a)

    # 9, and the pending invitations of new agencies (with who invited) in one more.
    few, many = assert_query_count_flat(
        10,
        add_rows=rows_of(tenant_a, engagement),
        run=page(acting, reverse("administration:engagement_list")),
        label="engagements as admin",
    )
    assert (len(few.context["rows"]), len(many.context["rows"])) == (1, 100)
    assert (len(few.context["invitations"]), len(many.context["invitations"])) == (1, 100)


@pytest.mark.parametrize(("role", "queries"), [("admin", 10), ("agency_admin", 12)])
def test_webhook_list(tenant_a, as_role, role, queries):
    acting = as_role(tenant_a, role)
    key = ApiKeyFactory(client=tenant_a, agency=acting.agency)

    def subscription(index: int) -> None:
        WebhookSubscriptionFactory(api_key=key)

    few, many = assert_query_count_flat(
        queries,
        add_rows=rows_of(tenant_a, subscription),
        run=page(acting, reverse("api:webhook_list")),
        label=f"webhooks as {role}",
    )
    assert (len(few.context["rows"]), len(many.context["rows"])) == (1, 100)


@pytest.mark.parametrize(
    ("role", "queries"),
    # "Needs you" (notifications.needs): each section is its first rows and a count, so
    # it costs the same at 1 and 100 rows; roles with more sections cost more.
    [
        ("admin", 22),
        ("hiring_manager", 20),
        ("interviewer", 13),
        ("executive", 13),
        ("recruiter", 17),
    ],
)
def test_home_page(tenant_a, as_role, role, queries):
    acting = as_role(tenant_a, role)
    agency = engaged_agency(tenant_a, acting)

    def workspace_grows(index: int) -> None:
        brief = RoleBriefFactory(**ready_brief_data())
        submission_of(
            agency,
            brief=brief,
            stage=Stage.values[index % len(Stage.values)],
            seen_by=acting,
        )
        AuditEntryFactory()
        ClientMembershipFactory(client=tenant_a, role="interviewer")
        EngagementFactory(client=tenant_a)

    few, many = assert_query_count_flat(
        queries,
        add_rows=rows_of(tenant_a, workspace_grows),
        run=page(acting, "/"),
        label=f"home page as {role}",
    )
    if acting.agency is None:
        assert few.context["submission_counts"]["total"] == 1
        assert many.context["submission_counts"]["total"] == 100
    else:
        assert len(many.context["open_briefs"]) == 10
        assert sum(row["count"] for row in many.context["stage_counts"]) == 100


# --- partner API list endpoints --------------------------------------------------------------


def api_list(http: Any, path: str) -> Callable[[], list[dict[str, Any]]]:
    def get() -> list[dict[str, Any]]:
        response = http.get(path, {"page_size": "100"})
        assert response.status_code == 200, response.content
        return response.json()["results"]

    return get


@pytest.fixture
def keys(tenant_a: Client) -> dict[str, Any]:
    """A client key and the key of an engaged agency, made by ApiKeyFactory."""
    agency = EngagementFactory(client=tenant_a).agency
    return {
        "client": ApiKeyFactory(client=tenant_a),
        "agency": ApiKeyFactory(client=tenant_a, agency=agency),
    }


def _measure_api(
    tenant: Client, key: Any, endpoint: str, add: Callable[[int], object], queries: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    connection.set_schema_to_public()
    return assert_query_count_flat(
        queries,
        add_rows=rows_of(tenant, add),
        run=api_list(api(tenant, key.raw_key), f"/api/v1/{endpoint}/"),
        label=f"/api/v1/{endpoint}/ with {'an agency' if key.agency_id else 'a client'} key",
    )


@pytest.mark.parametrize(("caller", "queries"), [("client", 5), ("agency", 6)])
def test_api_briefs(tenant_a, keys, caller, queries):
    key = keys[caller]
    agency = keys["agency"].agency

    def brief(index: int) -> None:
        shared = RoleBriefFactory(**ready_brief_data(), shared_with_all_engaged=index % 2 == 0)
        if index % 2:
            BriefShareFactory(brief=shared, agency=agency)

    few, many = _measure_api(tenant_a, key, "briefs", brief, queries)
    assert (len(few), len(many)) == (1, 100)


# The page and its rows' stage history are one statement (api.endpoints.submissions).
@pytest.mark.parametrize(("caller", "queries"), [("client", 5), ("agency", 6)])
def test_api_submissions(tenant_a, keys, caller, queries):
    key = keys[caller]
    agency = keys["agency"].agency

    def submission(index: int) -> None:
        moved = submission_of(agency, brief=RoleBriefFactory(), stage=Stage.INTERVIEW)
        StageChangeFactory(submission=moved, from_stage=Stage.SUBMITTED, to_stage=Stage.INTERVIEW)

    few, many = _measure_api(tenant_a, key, "submissions", submission, queries)
    assert (len(few), len(many)) == (1, 100)


@pytest.mark.parametrize(("caller", "queries"), [("client", 7)])
def test_api_candidates(tenant_a, keys, caller, queries):
    agency = keys["agency"].agency

    def candidate(index: int) -> None:
        person = CandidateFactory()
        CandidateOwnershipFactory(candidate=person, agency=agency)
        submission_of(agency, brief=RoleBriefFactory(), candidate=person)

    few, many = _measure_api(tenant_a, keys[caller], "candidates", candidate, queries)
    assert (len(few), len(many)) == (1, 100)


@pytest.mark.parametrize(("caller", "queries"), [("client", 5)])
def test_api_scorecards(tenant_a, keys, caller, queries):
    key = keys[caller]
    agency = keys["agency"].agency

    def scorecard(index: int) -> None:
        submission = submission_of(agency, brief=RoleBriefFactory(), stage=Stage.INTERVIEW)
        if index % 2:
            ScorecardFactory(submission=submission, submitted=True)
        else:  # a draft this key wrote
            ScorecardFactory(submission=submission, score_b=2, written_by_api_key_id=key.pk)

    few, many = _measure_api(tenant_a, key, "scorecards", scorecard, queries)
    assert (len(few), len(many)) == (1, 100)


@pytest.mark.parametrize(("caller", "queries"), [("client", 6)])
def test_api_shortlists(tenant_a, keys, caller, queries):
    agency = keys["agency"].agency
    with schema_context(tenant_a.schema_name):
        first = ShortlistFactory(brief=RoleBriefFactory(), version=1)

    def shortlist(index: int) -> None:
        # One more entry on the first shortlist, and from the second row on one more brief's
        # shortlist: both the shortlists and the entries of one grow to 100.
        ShortlistEntryFactory(shortlist=first, submission__agency=agency)
        if index:
            snapshot = ShortlistFactory(brief=RoleBriefFactory(), version=1)
            ShortlistEntryFactory(shortlist=snapshot, submission__agency=agency)

    few, many = _measure_api(tenant_a, keys[caller], "shortlists", shortlist, queries)
    assert (len(few), len(many)) == (1, 100)
    assert max(len(row["entries"]) for row in many) == 100


@pytest.mark.parametrize(("caller", "queries"), [("client", 5), ("agency", 6)])
def test_api_events(tenant_a, keys, caller, queries):
    agency_id = keys["agency"].agency_id
    settled = timezone.now() - dt.timedelta(minutes=1)

    def event(index: int) -> None:
        OutboxEventFactory(event_type="submission.created", agency_id=agency_id, created_at=settled)

    few, many = _measure_api(tenant_a, keys[caller], "events", event, queries)
    assert (len(few), len(many)) == (1, 100)


@pytest.mark.parametrize(("caller", "queries"), [("client", 5), ("agency", 6)])
def test_api_webhooks(tenant_a, keys, caller, queries):
    key = keys[caller]

    def subscription(index: int) -> None:
        WebhookSubscriptionFactory(api_key=key, event_types=["submission.created"])

    few, many = _measure_api(tenant_a, key, "webhooks", subscription, queries)
    assert (len(few), len(many)) == (1, 100)


# --- busy writes -----------------------------------------------------------------------------


@pytest.fixture
def agency_at(tenant_a: Client) -> Agency:
    return EngagementFactory(client=tenant_a, status=EngagementStatus.ACTIVE).agency


def test_submission_create(tenant_a, agency_at, in_tenant):
    recruiter = UserFactory()
    actor = Actor.for_user(recruiter, agency_id=agency_at.pk)
    emails = (f"new.person{n}@mail.example.test" for n in itertools.count())
    with in_tenant(tenant_a):
        brief = RoleBriefFactory(**ready_brief_data())

    def existing(index: int) -> None:
        person = CandidateFactory()
        CandidateOwnershipFactory(candidate=person, agency=agency_at)
        submission_of(agency_at, brief=brief, candidate=person)

    def create() -> Any:
        with in_tenant(tenant_a):
            return submission_create(
                actor=actor,
                brief=brief,
                agency=agency_at,
                candidate_data={"full_name": "New Person", "email": next(emails)},
                proof={f"proof_{name}": text for name, text in PROOF.items()},
                right_to_represent=True,
                rate_amount="95.00",
                rate_currency="EUR",
            )

    # 19: the ownership claim is one INSERT ... ON CONFLICT (the import's own statement); the
    # consent e-mail's link names the workspace's host (one domain look-up; a page or an API
    # request gives its own origin instead).
    few, many = assert_query_count_flat(
        19, add_rows=rows_of(tenant_a, existing), run=create, label="submission_create"
    )
    with in_tenant(tenant_a):
        assert StageChange.objects.filter(submission__in=[few, many]).count() == 2
        assert brief.submissions.count() == 103  # 100 existing, the warm-up and the two


def test_scorecard_save(tenant_a, agency_at, in_tenant):
    interviewer = UserFactory()
    ClientMembershipFactory(client=tenant_a, user=interviewer, role="interviewer")
    actor = Actor.for_user(interviewer)
    with in_tenant(tenant_a):
        brief = RoleBriefFactory()
        # The submissions the three calls (warm-up, 1 row, 100 rows) score.
        waiting: Iterator[Any] = iter(
            [
                InterviewAssignmentFactory(
                    submission=submission_of(agency_at, brief=brief, stage=Stage.INTERVIEW),
                    interviewer=interviewer,
                ).submission
                for _ in range(3)
            ]
        )

    def existing(index: int) -> None:
        submission = submission_of(agency_at, brief=brief, stage=Stage.INTERVIEW)
        ScorecardFactory(submission=submission, submitted=index % 2 == 0)

    def submit() -> Any:
        with in_tenant(tenant_a):
            return scorecard_save(
                actor=actor,
                submission=next(waiting),
                data={
                    "score_a": 4,
                    "evidence_a": "Explained how they caught a drift in the ranking model.",
                    "score_c": 3,
                    "recommendation": "yes",
                },
                submit=True,
            )

    # 12: one of them reads the track's current interview kit version, which the scorecard
    # records (docs/scoring.md, "The version a scorecard used").
    few, many = assert_query_count_flat(
        12, add_rows=rows_of(tenant_a, existing), run=submit, label="scorecard_save(submit=True)"
    )
    assert few.status == many.status == "submitted"


# --- decisions, agency analytics, kits and vendor scorecards (issue 14) ----------------------


def test_api_decisions(tenant_a, keys):
    def decision(index: int) -> None:
        ShortlistDecisionFactory()

    few, many = _measure_api(tenant_a, keys["client"], "decisions", decision, 5)
    assert (len(few), len(many)) == (1, 100)


# The rows, then one query for the agencies' ids and one for all their vendor scorecards;
# an agency key one more (its engagement).
@pytest.mark.parametrize(("caller", "queries"), [("client", 7), ("agency", 8)])
def test_api_agency_analytics(tenant_a, keys, caller, queries):
    key = keys[caller]

    def figures(index: int) -> None:
        agency = keys["agency"].agency if index == 0 else EngagementFactory(client=tenant_a).agency
        AgencyAnalyticsFactory(agency=agency, figures=_figures(index))
        VendorReviewFactory(agency=agency)

    few, many = _measure_api(tenant_a, key, "agency-analytics", figures, queries)
    expected = (1, 1) if caller == "agency" else (1, 100)
    assert (len(few), len(many)) == expected


def test_api_kits(tenant_a, keys):
    def kit(index: int) -> None:
        InterviewKitVersionFactory()

    few, many = _measure_api(tenant_a, keys["client"], "kits", kit, 5)
    assert (len(few), len(many)) == (1, 100)


@pytest.mark.parametrize(("role", "queries"), [("executive", 9), ("recruiter", 11)])
def test_vendor_review_list(tenant_a, as_role, role, queries):
    acting = as_role(tenant_a, role)
    agency = engaged_agency(tenant_a, acting)

    def review(index: int) -> None:
        VendorReviewFactory(agency=agency)

    few, many = assert_query_count_flat(
        queries,
        add_rows=rows_of(tenant_a, review),
        run=page(acting, "/vendor-reviews/"),
        label=f"vendor scorecards as {role}",
    )
    assert (len(few.context["reviews"]), len(many.context["reviews"])) == (1, 100)


# --- the helper itself -----------------------------------------------------------------------


def test_the_helper_lists_every_statement_when_the_count_is_off(tenant_a, in_tenant):
    with (
        pytest.raises(pytest.fail.Exception) as failure,
        assert_query_count(1, label="two look-ups"),
        in_tenant(tenant_a),
    ):
        list(RoleBrief.objects.all())
        list(RoleBrief.objects.filter(title="x"))
    message = str(failure.value)
    assert "two look-ups: expected 1 queries" in message
    assert " 1. " in message and " 2. " in message and '"hiring_rolebrief"' in message


def test_the_two_run_check_catches_a_query_per_row(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        agency = EngagementFactory(client=tenant_a).agency

        def add(count: int) -> None:
            for _ in range(count):
                SubmissionFactory(agency=agency)

        def one_query_per_row() -> list[str]:
            return [s.brief.title for s in Submission.objects.all()]  # no select_related

        with pytest.raises(pytest.fail.Exception) as failure:
            assert_query_count_flat(2, add_rows=add, run=one_query_per_row)
    message = str(failure.value)
    assert "2 ran with 1, 101 with 100" in message
    assert "+99 x SELECT" in message and '"hiring_rolebrief"' in message


def test_two_runs_of_background_work_must_run_as_many_statements():
    sizes = {"label": "job", "few_rows": "1 row", "many_rows": "2 rows"}
    assert_same_query_count(["SELECT 1"], ["SELECT 2"], **sizes)
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_same_query_count(["SELECT 1"], ["SELECT 1", "SELECT 2"], **sizes)
    message = str(failure.value)
    assert "job: 1 queries with 1 row, 2 with 2 rows." in message
    assert "With 2 rows:\n  1. SELECT 1\n  2. SELECT 2" in message


# --- the scorecard form (bench/pages.py measures it beside the lists) -----------------------
# 13: with the workspace's current interview kit version for the brief's track (one query).


@pytest.mark.parametrize(("role", "queries"), [("interviewer", 13)])
def test_scorecard_form(tenant_a, as_role, role, queries):
    """The interviewer's form for one submission, whatever else is scored around it: other
    interviewers' scorecards of the same submission (blind: never loaded) and the
    interviewer's other assignments."""
    acting = as_role(tenant_a, role)
    agency = engaged_agency(tenant_a, acting)
    with schema_context(tenant_a.schema_name):
        submission = submission_of(agency, brief=RoleBriefFactory(), stage=Stage.INTERVIEW)
        InterviewAssignmentFactory(submission=submission, interviewer=acting.user)

    def around(index: int) -> None:
        other = ClientMembershipFactory(client=tenant_a, role="interviewer").user
        InterviewAssignmentFactory(submission=submission, interviewer=other)
        ScorecardFactory(submission=submission, interviewer=other, submitted=True)
        elsewhere = submission_of(agency, brief=RoleBriefFactory(), stage=Stage.INTERVIEW)
        InterviewAssignmentFactory(submission=elsewhere, interviewer=acting.user)

    assert_query_count_flat(
        queries,
        add_rows=rows_of(tenant_a, around),
        run=page(acting, reverse("scoring:scorecard_form", args=[submission.public_id])),
        label=f"scorecard form as {role}",
    )
