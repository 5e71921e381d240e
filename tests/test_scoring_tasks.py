"""Scoring through a real Celery worker: the outbox relay hands "scorecard.submitted" events to
shortlist_on_event, which debounces them into one shortlist_recompute per burst, in the
tenant that queued them. Also: concurrent recomputes of one brief cannot interleave versions,
and agency analytics refresh in the right tenant.

Data is committed (the worker reads it from its own connection) and emptied after each test.
"""

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from celery.signals import task_postrun
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.actors import Actor
from audit.models import AuditEntry
from hiring.models import RoleBrief, Submission
from outbox.models import OutboxEvent
from outbox.services import KICK_DEBOUNCE_SECONDS
from outbox.tasks import outbox_relay
from scoring.models import (
    SCORE_FIELDS,
    AgencyAnalytics,
    Scorecard,
    ScorecardStatus,
    Shortlist,
    ShortlistEntry,
)
from scoring.services.scorecards import assignment_create, scorecard_save
from scoring.services.shortlists import shortlist_compute
from scoring.tasks.analytics import agency_analytics_refresh
from scoring.tasks.shortlists import RECOMPUTE_DEBOUNCE_SECONDS
from tenants.models import Agency, Client, ClientRole, User
from tests.factories import (
    AgencyFactory,
    ClientMembershipFactory,
    EngagementFactory,
    RoleBriefFactory,
    SubmissionFactory,
    UserFactory,
)

pytestmark = pytest.mark.worker

BURST = 10
EVIDENCE = "Explained the rollout, the metric it moved and how they rolled back."


def wait_for(predicate: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def finished_tasks() -> Iterator[list[tuple[str, dict[str, Any], Any]]]:
    """(task name, kwargs, return value) of every task the in-process worker finishes."""
    finished: list[tuple[str, dict[str, Any], Any]] = []

    def record(sender: Any = None, kwargs: Any = None, retval: Any = None, **_: Any) -> None:
        finished.append((sender.name, dict(kwargs or {}), retval))

    task_postrun.connect(record, weak=False)
    yield finished
    task_postrun.disconnect(record)


def runs_of(
    finished: list[tuple[str, dict[str, Any], Any]], task_name: str, **kwargs: Any
) -> list[Any]:
    return [
        retval
        for name, task_kwargs, retval in list(finished)
        if name == task_name and all(task_kwargs.get(k) == v for k, v in kwargs.items())
    ]


def engaged_agency(tenant: Client) -> Agency:
    agency = AgencyFactory()
    EngagementFactory(client=tenant, agency=agency)
    return agency


def interviewer(tenant: Client) -> User:
    user = UserFactory()
    ClientMembershipFactory(user=user, client=tenant, role=ClientRole.INTERVIEWER)
    return user


def scores_for(index: int) -> dict[str, Any]:
    """Varied, valid scores with evidence, so every submission ranks differently."""
    data: dict[str, Any] = {"recommendation": "yes"}
    for position, name in enumerate(SCORE_FIELDS):
        data[name] = (index + position) % 6
        data[f"evidence_{name[-1]}"] = EVIDENCE
    return data


def brief_with_submissions(
    tenant: Client, count: int, *, public_id: uuid.UUID | None = None
) -> tuple[RoleBrief, list[Submission]]:
    """Inside the tenant: an open brief with `count` submissions from one engaged agency."""
    agency = engaged_agency(tenant)
    brief = RoleBriefFactory(**({"public_id": public_id} if public_id else {}))
    return brief, SubmissionFactory.create_batch(count, brief=brief, agency=agency)


def score_through_services(tenant: Client, submissions: list[Submission]) -> None:
    """One assigned interviewer per submission submits a scorecard, as the page would."""
    manager = Actor.for_user(UserFactory())
    for index, submission in enumerate(submissions):
        person = interviewer(tenant)
        assignment_create(actor=manager, submission=submission, interviewer=person)
        scorecard_save(
            actor=Actor.for_user(person),
            submission=submission,
            data=scores_for(index),
            submit=True,
        )


def score_in_bulk(tenant: Client, submissions: list[Submission], start: int = 0) -> None:
    """Submitted scorecards written straight to the table: no outbox event, no worker."""
    now = timezone.now()
    Scorecard.objects.bulk_create(
        Scorecard(
            submission=submission,
            interviewer=interviewer(tenant),
            status=ScorecardStatus.SUBMITTED,
            submitted_at=now,
            recommendation="yes",
            **{name: (start + index + position) % 6 for position, name in enumerate(SCORE_FIELDS)},
        )
        for index, submission in enumerate(submissions)
    )


def versions_of(tenant: Client, brief_public_id: uuid.UUID) -> list[int]:
    with schema_context(tenant.schema_name):
        return sorted(
            Shortlist.objects.filter(brief__public_id=brief_public_id).values_list(
                "version", flat=True
            )
        )


def test_a_burst_of_scorecards_causes_one_recompute(celery_worker, finished_tasks, tenant_a):
    with schema_context(tenant_a.schema_name):
        brief, submissions = brief_with_submissions(tenant_a, BURST)
        # Each submit commits an event and kicks the relay after commit (debounced per
        # tenant); nothing else is queued by hand.
        score_through_services(tenant_a, submissions)
        event_ids = list(
            OutboxEvent.objects.filter(event_type="scorecard.submitted").values_list(
                "id", flat=True
            )
        )
        assert len(event_ids) == BURST

    assert wait_for(lambda: versions_of(tenant_a, brief.public_id) == [1]), (
        f"no shortlist appeared; tasks finished: {[name for name, _, _ in finished_tasks]}"
    )
    # Long enough for any straggling consumer to have queued, and run, a second recompute.
    time.sleep(RECOMPUTE_DEBOUNCE_SECONDS + KICK_DEBOUNCE_SECONDS)
    assert versions_of(tenant_a, brief.public_id) == [1]

    brief_id = str(brief.public_id)
    assert runs_of(
        finished_tasks, "scoring.tasks.shortlists.shortlist_recompute", brief_public_id=brief_id
    ) == [1]
    # Every event reached the consumer; all but the first were absorbed by the pending one.
    consumed = [
        retval
        for event_id in event_ids
        for retval in runs_of(
            finished_tasks, "scoring.tasks.shortlists.shortlist_on_event", event_id=event_id
        )
    ]
    assert sorted(consumed) == [False] * (BURST - 1) + [True]
    with schema_context(tenant_a.schema_name):
        assert wait_for(lambda: not OutboxEvent.objects.filter(published_at__isnull=True).exists())
        shortlist = Shortlist.objects.get(brief=brief)
        assert shortlist.scorecard_count == BURST
        ranks = ShortlistEntry.objects.filter(shortlist=shortlist).values_list("rank", flat=True)
        assert sorted(ranks) == list(range(1, BURST + 1))


def test_the_recompute_runs_in_the_tenant_that_asked(
    celery_worker, finished_tasks, tenant_a, tenant_b
):
    # Tenant B holds a brief with the same public id and the same shape of data: a recompute
    # that ran in the wrong schema would find it and write B a shortlist.
    with schema_context(tenant_b.schema_name):
        brief_b, submissions_b = brief_with_submissions(tenant_b, 3)
        score_in_bulk(tenant_b, submissions_b)
    with schema_context(tenant_a.schema_name):
        brief_a, submissions_a = brief_with_submissions(tenant_a, 3, public_id=brief_b.public_id)
        score_through_services(tenant_a, submissions_a)
        # Queue the relay by hand too: the schema travels in the task header.
        outbox_relay.delay()

    assert wait_for(lambda: versions_of(tenant_a, brief_a.public_id) == [1])
    assert wait_for(
        lambda: (
            runs_of(
                finished_tasks,
                "scoring.tasks.shortlists.shortlist_recompute",
                brief_public_id=str(brief_a.public_id),
            )
            == [1]
        )
    )
    assert versions_of(tenant_b, brief_b.public_id) == []
    with schema_context(tenant_b.schema_name):
        assert not AuditEntry.objects.filter(action="shortlist.computed").exists()
        assert not OutboxEvent.objects.exists()
        assert Scorecard.objects.filter(status=ScorecardStatus.SUBMITTED).count() == 3


def test_concurrent_recomputes_of_one_brief_do_not_interleave(committed_db, tenant_a):
    with schema_context(tenant_a.schema_name):
        brief, submissions = brief_with_submissions(tenant_a, 8)
        score_in_bulk(tenant_a, submissions[:4])
        assert shortlist_compute(brief=brief) is not None

    rounds = 3
    outcomes: list[str] = []
    for round_number in range(rounds):
        with schema_context(tenant_a.schema_name):
            # New inputs for this round: one more submission gets a scorecard.
            score_in_bulk(tenant_a, [submissions[4 + round_number]], start=round_number)
        barrier = threading.Barrier(2)

        def recompute(barrier: threading.Barrier) -> None:
            try:
                with schema_context(tenant_a.schema_name):
                    barrier.wait(timeout=10)
                    result = shortlist_compute(brief=brief)
                outcomes.append("unchanged" if result is None else f"v{result.version}")
            except Exception as error:  # a duplicate version would surface here
                outcomes.append(f"error: {error!r}")
            finally:
                connection.close()

        threads = [threading.Thread(target=recompute, args=(barrier,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    # Each round: one thread writes the next version; the other waits for the lock, then finds
    # the same inputs already stored.
    assert sorted(outcomes) == sorted(["unchanged"] * rounds + ["v2", "v3", "v4"]), outcomes
    assert versions_of(tenant_a, brief.public_id) == [1, 2, 3, 4]
    with schema_context(tenant_a.schema_name):
        latest = Shortlist.objects.get(brief=brief, version=4)
        assert latest.scorecard_count == 7
        assert ShortlistEntry.objects.filter(shortlist=latest).count() == 7


def test_agency_analytics_refresh_runs_in_the_right_tenant(celery_worker, tenant_a, tenant_b):
    with schema_context(tenant_a.schema_name):
        _, submissions = brief_with_submissions(tenant_a, 3)
        agency_a = submissions[0].agency
        score_in_bulk(tenant_a, submissions[:2])
        result = agency_analytics_refresh.delay()
    with schema_context(tenant_b.schema_name):
        agency_b = engaged_agency(tenant_b)

    assert result.get(timeout=15) == 1
    with schema_context(tenant_a.schema_name):
        figures = AgencyAnalytics.objects.get(agency=agency_a).figures
        assert figures["submissions"] == 3
        assert figures["scorecards"] == 2
        assert AgencyAnalytics.objects.count() == 1
    with schema_context(tenant_b.schema_name):
        assert not AgencyAnalytics.objects.exists()

    with schema_context(tenant_b.schema_name):
        assert agency_analytics_refresh.delay().get(timeout=15) == 1
        row = AgencyAnalytics.objects.get()
        assert row.agency_id == agency_b.pk
        assert row.figures["submissions"] == 0
