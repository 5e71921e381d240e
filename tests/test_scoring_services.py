"""Scoring services and selectors: assignments, scorecards, blind visibility, shortlists,
decisions, agency analytics and the outbox, through the public service functions.

Every test runs inside tenant A's schema in a transaction rolled back afterwards.
"""

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.actors import Actor
from audit.errors import ConflictError
from audit.models import AuditEntry
from hiring.models import InterviewAssignment, RoleBrief, StageChange, Submission
from hiring.services.briefs import brief_create, brief_open
from hiring.services.submissions import (
    submission_create,
    submission_move_stage,
    submission_withdraw,
)
from outbox.models import OutboxEvent
from scoring.analytics import agency_analytics_compute
from scoring.engine import (
    ScorecardInput,
    compute_shortlist,
    compute_shortlist_result,
    default_policy,
)
from scoring.models import (
    SCORE_FIELDS,
    AgencyAnalytics,
    Scorecard,
    ScorecardStatus,
    Shortlist,
    ShortlistDecision,
    ShortlistEntry,
)
from scoring.selectors import (
    scorecards_visible,
    scoring_settings_get,
    shortlist_calibration,
    shortlist_entries_uncalibrated,
)
from scoring.services.decisions import decision_record, floor_override_set
from scoring.services.scorecards import assignment_create, scorecard_save
from scoring.services.settings import scoring_settings_update
from scoring.services.shortlists import shortlist_compute
from tenants.models import Agency, Client, ClientRole, User
from tenants.selectors import WorkspaceAccess
from tests.factories import (
    SAFETY_CHECKLIST,
    AgencyFactory,
    CandidateFactory,
    ClientMembershipFactory,
    EngagementFactory,
    RoleBriefFactory,
    SubmissionFactory,
    UserFactory,
    ready_brief_data,
)
from tests.query_counts import assert_same_query_count, captured_sql

pytestmark = pytest.mark.django_db

EVIDENCE = "Walked us through the rollout, the metric it moved and the rollback plan."
FULL_PROOF = {
    "proof_shipped_solution": "Shipped a demand forecasting service used by 300 planners.",
    "proof_baseline": "Baseline MAPE was 31% with the spreadsheet method.",
    "proof_improvement": "Brought MAPE to 14% after adding promotions and holidays.",
    "proof_monitoring": "Weekly drift report on feature distributions and error by region.",
    "proof_quality_dip": "A supplier feed broke in week 3; rolled back and added schema checks.",
}

Scores = tuple[int | None, int | None, int | None, int | None, int | None]


@dataclass
class World:
    """Tenant A with an open brief (python_ai_developer: default floor A >= 2), an engaged
    agency and a hiring manager who assigns interviewers."""

    tenant: Client
    brief: RoleBrief
    agency: Agency
    manager: User
    manager_actor: Actor
    interviewers: dict[str, User] = field(default_factory=dict)

    def member(self, role: str) -> User:
        user = UserFactory()
        ClientMembershipFactory(user=user, client=self.tenant, role=role)
        return user

    def interviewer(self, name: str) -> User:
        if name not in self.interviewers:
            self.interviewers[name] = self.member(ClientRole.INTERVIEWER)
        return self.interviewers[name]

    def submission(self, brief: RoleBrief | None = None, **fields: Any) -> Submission:
        return SubmissionFactory(brief=brief or self.brief, agency=self.agency, **fields)

    def score(
        self,
        submission: Submission,
        interviewer: User,
        scores: Scores,
        *,
        recommendation: str = "yes",
        submit: bool = True,
    ) -> Scorecard:
        """Assign (once) and fill the interviewer's scorecard, with evidence on every score."""
        if not InterviewAssignment.objects.filter(
            submission=submission, interviewer=interviewer
        ).exists():
            assignment_create(
                actor=self.manager_actor, submission=submission, interviewer=interviewer
            )
        data: dict[str, Any] = {"recommendation": recommendation}
        for code, value in zip("abcde", scores, strict=True):
            data[f"score_{code}"] = value
            data[f"evidence_{code}"] = EVIDENCE if value is not None else ""
        return scorecard_save(
            actor=Actor.for_user(interviewer), submission=submission, data=data, submit=submit
        )


@pytest.fixture
def world(tenant_a):
    with schema_context(tenant_a.schema_name):
        manager = UserFactory()
        ClientMembershipFactory(user=manager, client=tenant_a, role=ClientRole.HIRING_MANAGER)
        manager_actor = Actor.for_user(manager)
        agency = AgencyFactory()
        EngagementFactory(client=tenant_a, agency=agency)
        brief = brief_open(
            actor=manager_actor,
            brief=brief_create(actor=manager_actor, data=ready_brief_data()),
        )
        yield World(
            tenant=tenant_a,
            brief=brief,
            agency=agency,
            manager=manager,
            manager_actor=manager_actor,
        )


def client_access(role: str) -> WorkspaceAccess:
    return WorkspaceAccess(kind="client", role=role)


def visible_ids(access: WorkspaceAccess, user: User, submission: Submission) -> set[int]:
    return set(
        scorecards_visible(access=access, user_id=user.pk, submission=submission).values_list(
            "interviewer_id", flat=True
        )
    )


# --- assignments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [ClientRole.INTERVIEWER, ClientRole.HIRING_MANAGER, ClientRole.ADMIN]
)
def test_client_members_who_interview_can_be_assigned(world, role):
    submission = world.submission()
    person = world.member(role)
    assignment = assignment_create(
        actor=world.manager_actor, submission=submission, interviewer=person
    )
    assert assignment.interviewer == person
    assert assignment.assigned_by_user_id == world.manager.pk
    # The default due date is two days out.
    assert dt.timedelta(hours=47) < assignment.due_at - timezone.now() < dt.timedelta(hours=49)
    entry = AuditEntry.objects.get(action="assignment.created")
    assert entry.object_id == str(submission.public_id)
    assert entry.details == {"interviewer": person.pk}


def test_people_who_do_not_interview_here_cannot_be_assigned(world, tenant_b):
    submission = world.submission()
    executive = world.member(ClientRole.EXECUTIVE)
    stranger = UserFactory()
    interviewer_elsewhere = UserFactory()
    ClientMembershipFactory(
        user=interviewer_elsewhere, client=tenant_b, role=ClientRole.INTERVIEWER
    )
    for person in (executive, stranger, interviewer_elsewhere):
        with pytest.raises(ValidationError) as error:
            assignment_create(actor=world.manager_actor, submission=submission, interviewer=person)
        assert set(error.value.message_dict) == {"interviewer"}
    assert not InterviewAssignment.objects.exists()
    assert not AuditEntry.objects.filter(action="assignment.created").exists()


def test_assigning_the_same_interviewer_twice_is_a_conflict(world):
    submission = world.submission()
    person = world.interviewer("ines")
    assignment_create(actor=world.manager_actor, submission=submission, interviewer=person)
    with pytest.raises(ConflictError) as error:
        assignment_create(actor=world.manager_actor, submission=submission, interviewer=person)
    assert error.value.code == "already_assigned"
    assert InterviewAssignment.objects.filter(submission=submission).count() == 1
    assert AuditEntry.objects.filter(action="assignment.created").count() == 1


@pytest.mark.parametrize("stage", ["offer", "hired", "rejected", "withdrawn"])
def test_a_closed_submission_cannot_be_assigned(world, stage):
    submission = world.submission(stage=stage)
    with pytest.raises(ConflictError) as error:
        assignment_create(
            actor=world.manager_actor, submission=submission, interviewer=world.interviewer("i")
        )
    assert error.value.code == "submission_closed"
    assert not InterviewAssignment.objects.exists()


# --- scorecards ------------------------------------------------------------------------------


def test_only_an_assigned_interviewer_can_score(world):
    submission = world.submission()
    outsider = world.interviewer("not assigned")
    with pytest.raises(ConflictError) as error:
        scorecard_save(actor=Actor.for_user(outsider), submission=submission, data={"score_a": 3})
    assert error.value.code == "not_assigned"
    assert not Scorecard.objects.exists()


def test_draft_saves_partial_scores_without_evidence(world):
    submission = world.submission()
    person = world.interviewer("ines")
    assignment_create(actor=world.manager_actor, submission=submission, interviewer=person)
    # A draft may hold an extreme score without evidence and no recommendation yet; the
    # score arrives as the form posts it, a string of digits.
    card = scorecard_save(
        actor=Actor.for_user(person), submission=submission, data={"score_a": "5"}
    )
    assert card.status == ScorecardStatus.DRAFT
    assert card.score_a == 5 and card.score_b is None
    assert card.submitted_at is None
    # Saving again updates the same draft.
    card = scorecard_save(
        actor=Actor.for_user(person), submission=submission, data={"score_b": 2, "score_a": ""}
    )
    assert Scorecard.objects.count() == 1
    assert (card.score_a, card.score_b) == (None, 2)
    saved = AuditEntry.objects.filter(action="scorecard.saved").order_by("id")
    assert [entry.details["created"] for entry in saved] == [True, False]
    assert not OutboxEvent.objects.filter(event_type="scorecard.submitted").exists()


def test_scores_are_whole_numbers_from_0_to_5_checked_per_field(world):
    submission = world.submission()
    person = world.interviewer("ines")
    assignment_create(actor=world.manager_actor, submission=submission, interviewer=person)
    bad = {
        "score_a": True,
        "score_b": "three",
        "score_c": 6,
        "score_d": -1,
        "score_e": 4.5,
    }
    with pytest.raises(ValidationError) as error:
        scorecard_save(actor=Actor.for_user(person), submission=submission, data=bad)
    assert set(error.value.message_dict) == set(SCORE_FIELDS)
    with pytest.raises(ValidationError) as error:
        scorecard_save(
            actor=Actor.for_user(person),
            submission=submission,
            data={"score_a": 3, "recommendation": "maybe", "salary": 10},
        )
    assert set(error.value.message_dict) == {"recommendation", "__all__"}
    assert not Scorecard.objects.exists()
    # The edges of the scale are fine.
    card = scorecard_save(
        actor=Actor.for_user(person), submission=submission, data={"score_a": 0, "score_e": 5}
    )
    assert (card.score_a, card.score_e) == (0, 5)


@pytest.mark.parametrize("extreme", [0, 1, 5])
def test_extreme_scores_need_evidence_at_submit(world, extreme):
    submission = world.submission()
    person = world.interviewer("ines")
    assignment_create(actor=world.manager_actor, submission=submission, interviewer=person)
    data = {
        "score_a": extreme,
        "evidence_a": "  too short ",
        "score_b": 3,  # middle scores need no evidence
        "recommendation": "mixed",
    }
    with pytest.raises(ValidationError) as error:
        scorecard_save(actor=Actor.for_user(person), submission=submission, data=data, submit=True)
    assert set(error.value.message_dict) == {"evidence_a"}
    assert str(extreme) in error.value.message_dict["evidence_a"][0]
    # Nothing was stored: the failed submit rolled back its draft too.
    assert not Scorecard.objects.exists()
    data["evidence_a"] = EVIDENCE
    card = scorecard_save(
        actor=Actor.for_user(person), submission=submission, data=data, submit=True
    )
    assert card.status == ScorecardStatus.SUBMITTED
    assert card.submitted_at is not None


def test_submit_needs_a_recommendation_and_at_least_one_score(world):
    submission = world.submission()
    person = world.interviewer("ines")
    assignment_create(actor=world.manager_actor, submission=submission, interviewer=person)
    actor = Actor.for_user(person)
    with pytest.raises(ValidationError) as error:
        scorecard_save(actor=actor, submission=submission, data={"summary": "Fine."}, submit=True)
    assert set(error.value.message_dict) == {"__all__", "recommendation"}
    with pytest.raises(ValidationError) as error:
        scorecard_save(actor=actor, submission=submission, data={"score_c": 3}, submit=True)
    assert set(error.value.message_dict) == {"recommendation"}
    card = scorecard_save(
        actor=actor,
        submission=submission,
        data={"score_c": 3, "recommendation": "yes"},
        submit=True,
    )
    assert card.status == ScorecardStatus.SUBMITTED


def test_a_submitted_scorecard_is_final(world):
    submission = world.submission()
    person = world.interviewer("ines")
    card = world.score(submission, person, (3, 3, 3, 3, 3))
    with pytest.raises(ConflictError) as error:
        scorecard_save(actor=Actor.for_user(person), submission=submission, data={"score_a": 4})
    assert error.value.code == "scorecard_submitted"
    with pytest.raises(ConflictError):
        scorecard_save(
            actor=Actor.for_user(person),
            submission=submission,
            data={"recommendation": "no"},
            submit=True,
        )
    card.refresh_from_db()
    assert (card.score_a, card.recommendation) == (3, "yes")


def test_one_scorecard_per_interviewer_and_submission_is_a_database_rule(world):
    submission = world.submission()
    person = world.interviewer("ines")
    world.score(submission, person, (3, 3, 3, 3, 3), submit=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Scorecard.objects.create(submission=submission, interviewer=person)
    # Scores outside 0-5 are refused by the database too, not only by the service.
    other = world.interviewer("omar")
    with pytest.raises(IntegrityError), transaction.atomic():
        Scorecard.objects.create(submission=submission, interviewer=other, score_d=6)
    assert Scorecard.objects.filter(submission=submission).count() == 1


# --- blind rule ------------------------------------------------------------------------------


def test_interviewers_score_blind_until_they_submit(world):
    submission = world.submission()
    ines, omar, lena = (world.interviewer(name) for name in ("ines", "omar", "lena"))
    interviewer = client_access(ClientRole.INTERVIEWER)
    assert visible_ids(interviewer, ines, submission) == set()

    world.score(submission, omar, (4, 4, 4, 4, 4))
    world.score(submission, lena, (2, 2, 2, 2, 2), submit=False)
    # Before her own scorecard exists, and while it is a draft, Ines sees only her own.
    assert visible_ids(interviewer, ines, submission) == set()
    world.score(submission, ines, (3, 3, 3, 3, 3), submit=False)
    assert visible_ids(interviewer, ines, submission) == {ines.pk}

    world.score(submission, ines, (3, 3, 3, 3, 3))
    # After submitting: every submitted scorecard, never another interviewer's draft.
    assert visible_ids(interviewer, ines, submission) == {ines.pk, omar.pk}
    assert visible_ids(interviewer, lena, submission) == {lena.pk}


def test_a_manager_asked_to_score_is_blind_until_they_submit(world):
    submission = world.submission()
    omar = world.interviewer("omar")
    world.score(submission, omar, (4, 4, 4, 4, 4))
    manager = client_access(ClientRole.HIRING_MANAGER)
    assert visible_ids(manager, world.manager, submission) == {omar.pk}
    world.score(submission, world.manager, (3, 3, 3, 3, 3), submit=False)
    assert visible_ids(manager, world.manager, submission) == {world.manager.pk}
    world.score(submission, world.manager, (3, 3, 3, 3, 3))
    assert visible_ids(manager, world.manager, submission) == {omar.pk, world.manager.pk}


def test_managers_see_all_submitted_and_agencies_see_none(world):
    submission = world.submission()
    ines, omar = world.interviewer("ines"), world.interviewer("omar")
    world.score(submission, ines, (3, 3, 3, 3, 3))
    world.score(submission, omar, (4, 4, 4, 4, 4), submit=False)
    for role in (ClientRole.HIRING_MANAGER, ClientRole.EXECUTIVE, ClientRole.ADMIN):
        assert visible_ids(client_access(role), world.manager, submission) == {ines.pk}
    agency_access = WorkspaceAccess(kind="agency", role="recruiter", agency=world.agency)
    for person in (world.manager, ines):
        assert visible_ids(agency_access, person, submission) == set()


# --- shortlists ------------------------------------------------------------------------------


# Three interviewers who each scored two or more candidates, so calibration is in play.
PANEL: dict[str, list[tuple[str, Scores]]] = {
    "strong": [("ines", (5, 5, 4, 4, 5)), ("omar", (4, 5, 4, 4, 4))],
    "middle": [("ines", (3, 3, 3, 3, 3)), ("lena", (3, 4, 3, 2, 3))],
    "weak": [("omar", (2, 2, 2, 2, 2)), ("lena", (2, 3, 2, 2, 2))],
    # Excellent except applied AI delivery, below this track's floor of 2.
    "below_floor": [("ines", (1, 5, 5, 5, 5)), ("lena", (1, 5, 5, 5, 5))],
}


def score_panel(world: World, panel: dict[str, list[tuple[str, Scores]]]) -> dict[str, Submission]:
    submissions = {}
    for label, cards in panel.items():
        submissions[label] = world.submission()
        for name, scores in cards:
            world.score(submissions[label], world.interviewer(name), scores)
    return submissions


def test_shortlist_ranks_as_the_engine_says_and_is_stored_with_events(world):
    submissions = score_panel(world, PANEL)
    shortlist = shortlist_compute(brief=world.brief)
    assert shortlist is not None
    assert shortlist.version == 1
    assert shortlist.scorecard_count == 8
    assert shortlist.policy == {
        "weights": {"A": 0.3, "B": 0.3, "C": 0.15, "D": 0.1, "E": 0.15},
        "floors": {"A": 2, "B": None, "C": None, "D": None, "E": None},
        "is_genai": False,
    }
    stored = list(ShortlistEntry.objects.filter(shortlist=shortlist).order_by("rank"))
    label_of = {s.pk: label for label, s in submissions.items()}
    assert [label_of[e.submission_id] for e in stored] == [
        "strong",
        "middle",
        "weak",
        "below_floor",
    ]

    # The same scorecards handed to the engine directly, with the track's default policy.
    inputs = [
        ScorecardInput(
            submission_id=str(submissions[label].pk),
            interviewer_id=str(world.interviewers[name].pk),
            scores=dict(zip("ABCDE", scores, strict=True)),
            recommendation="yes",
        )
        for label, cards in PANEL.items()
        for name, scores in cards
    ]
    expected = compute_shortlist(inputs, default_policy("python_ai_developer", False))
    assert [
        (
            int(e.submission_id),
            e.rank,
            e.weighted_score,
            e.balanced_score,
            e.category_means,
            list(e.below_floor),
            e.floor_overridden,
            list(e.missing),
            list(e.needs_debrief),
            e.confidence,
            e.scorecard_count,
            e.reason,
            e.uncalibrated_rank,
            e.uncalibrated_score,
            e.panel_group,
        )
        for e in expected
    ] == [
        (
            e.submission_id,
            e.rank,
            e.weighted_score,
            e.balanced_score,
            e.category_means,
            e.below_floor,
            e.floor_overridden,
            e.missing,
            e.needs_debrief,
            e.confidence,
            e.scorecard_count,
            e.reason,
            e.uncalibrated_rank,
            e.uncalibrated_score,
            e.panel_group,
        )
        for e in stored
    ]
    assert stored[-1].below_floor == ["A"]
    assert "below the floor of 2" in stored[-1].reason

    event = OutboxEvent.objects.get(event_type="shortlist.updated")
    assert event.payload == {
        "brief_id": str(world.brief.public_id),
        "version": 1,
        "entries": 4,
    }
    audit = AuditEntry.objects.get(action="shortlist.computed")
    assert audit.details == {"version": 1, "entries": 4}


# "kind" scores every candidate one point above "plain", who scores them as they are; both
# interview all four, so the brief measures kind's habit without any doubt about who saw whom.
LENIENT_PANEL: dict[str, list[tuple[str, Scores]]] = {
    f"c{number}": [("kind", (level + 1,) * 5), ("plain", (level,) * 5)]
    for number, level in enumerate((4, 3, 2, 1))
}


def test_shortlist_stores_each_interviewers_habits_and_the_ranking_without_calibration(world):
    submissions = score_panel(world, PANEL)
    shortlist = shortlist_compute(brief=world.brief)
    assert shortlist is not None

    inputs = [
        ScorecardInput(
            submission_id=str(submissions[label].pk),
            interviewer_id=str(world.interviewers[name].pk),
            scores=dict(zip("ABCDE", scores, strict=True)),
            recommendation="yes",
        )
        for label, cards in PANEL.items()
        for name, scores in cards
    ]
    result = compute_shortlist_result(inputs, default_policy("python_ai_developer", False))
    document = shortlist.calibration
    assert document["method"] == "2"
    assert document["workspace_evidence"] is False
    assert document["groups"] == result.groups == 1
    assert document["panel_mean"] == result.panel_mean
    assert [row["interviewer_id"] for row in document["interviewers"]] == [
        int(row.interviewer_id) for row in result.interviewers
    ]
    for stored_row, row in zip(document["interviewers"], result.interviewers, strict=True):
        assert stored_row["leniency"] == row.leniency
        assert stored_row["scale"] == row.scale
        assert stored_row["compared_scores"] == row.compared_scores
        assert stored_row["evidence"] == row.evidence
        assert stored_row["brief_leniency"] == row.brief_leniency
        assert stored_row["summary"] == row.summary

    # What the page reads: names, the sentence with its evidence, both orders.
    calibration = shortlist_calibration(shortlist=shortlist)
    names = {person.pk: person.display_name for person in world.interviewers.values()}
    assert {row.user_id: row.name for row in calibration.interviewers} == names
    ines = next(r for r in calibration.interviewers if r.user_id == world.interviewers["ines"].pk)
    assert ines.compared_scores == 15  # strong, middle and below_floor, each shared
    assert ines.summary.startswith("Scores about ")
    assert ines.summary.endswith(" the panel, from 15 compared scores.")
    uncalibrated = list(shortlist_entries_uncalibrated(shortlist=shortlist))
    assert [e.uncalibrated_rank for e in uncalibrated] == [1, 2, 3, 4]
    assert sorted(e.rank for e in uncalibrated) == [1, 2, 3, 4]


def test_a_lenient_interviewer_is_shown_with_the_evidence_and_both_rankings(world):
    submissions = score_panel(world, LENIENT_PANEL)
    shortlist = shortlist_compute(brief=world.brief)
    assert shortlist is not None

    calibration = shortlist_calibration(shortlist=shortlist)
    by_name = {row.user_id: row for row in calibration.interviewers}
    kind = by_name[world.interviewers["kind"].pk]
    plain = by_name[world.interviewers["plain"].pk]
    # 20 compared scores in pairs (evidence 10): (10 + 3) l - 10 (-l) = 10 -> l = 10/23.
    assert kind.leniency == 0.435 and plain.leniency == -0.435
    assert kind.summary == "Scores about 0.4 above the panel, from 20 compared scores."
    assert plain.summary == "Scores about 0.4 below the panel, from 20 compared scores."
    assert calibration.workspace_evidence is False and calibration.groups == 1
    # Both interviewers saw every candidate, so the order is the same either way.
    entries = {e.submission_id: e for e in ShortlistEntry.objects.filter(shortlist=shortlist)}
    for label in LENIENT_PANEL:
        entry = entries[submissions[label].pk]
        assert entry.uncalibrated_rank == entry.rank
        assert entry.panel_group == 1


def test_workspace_evidence_is_off_by_default_and_an_admin_can_turn_it_on(world):
    # Brief 1 measures kind's habit; on brief 2 kind and plain each score one candidate alone,
    # and both give 4s: the brief alone cannot tell that kind's 4 is plain's 3.
    score_panel(world, LENIENT_PANEL)
    assert shortlist_compute(brief=world.brief) is not None
    second_brief = brief_open(
        actor=world.manager_actor,
        brief=brief_create(actor=world.manager_actor, data=ready_brief_data(title="Second")),
    )
    by_kind = world.submission(brief=second_brief)
    by_plain = world.submission(brief=second_brief)
    world.score(by_kind, world.interviewer("kind"), (4, 4, 4, 4, 4))
    world.score(by_plain, world.interviewer("plain"), (4, 4, 4, 4, 4))

    assert scoring_settings_get().workspace_evidence is False
    alone = shortlist_compute(brief=second_brief)
    assert alone is not None and alone.calibration["workspace_evidence"] is False
    entries = {e.submission_id: e for e in ShortlistEntry.objects.filter(shortlist=alone)}
    assert entries[by_kind.pk].weighted_score == entries[by_plain.pk].weighted_score == 4.0
    assert {row["leniency"] for row in alone.calibration["interviewers"]} == {0.0}

    admin = Actor.for_user(world.member(ClientRole.ADMIN))
    with pytest.raises(ValidationError):
        scoring_settings_update(actor=admin, workspace_evidence="yes")  # type: ignore[arg-type]
    settings_row = scoring_settings_update(actor=admin, workspace_evidence=True)
    assert settings_row.workspace_evidence is True
    assert scoring_settings_get().workspace_evidence is True
    assert AuditEntry.objects.filter(
        action="scoring_settings.updated", details={"workspace_evidence": True}
    ).exists()
    asked = set(
        OutboxEvent.objects.filter(event_type="shortlist.inputs_changed").values_list(
            "payload__brief_id", flat=True
        )
    )
    assert asked == {str(world.brief.public_id), str(second_brief.public_id)}

    informed = shortlist_compute(brief=second_brief)
    assert informed is not None and informed.version == 2
    assert informed.calibration["workspace_evidence"] is True
    rows = {row["interviewer_id"]: row for row in informed.calibration["interviewers"]}
    kind = rows[world.interviewers["kind"].pk]
    # Brief 1 stored kind's 10/23 as 0.435, from evidence 10; pooled, undoing the shrinkage:
    # 0.435 * 13/10 = 0.566; counted at half (weight 5): 5 * 0.566 / (5 + 3) = 0.354 here.
    assert kind["workspace_leniency"] == 0.566
    assert kind["workspace_evidence"] == 5.0
    assert kind["leniency"] == 0.354
    assert kind["brief_leniency"] == 0.0
    assert kind["summary"] == (
        "Scores about 0.4 above the panel, from 0 compared scores on this brief and about 5 on "
        "earlier briefs."
    )
    entries = {e.submission_id: e for e in ShortlistEntry.objects.filter(shortlist=informed)}
    assert entries[by_kind.pk].weighted_score == 3.646  # 4 - 0.35375
    assert entries[by_plain.pk].weighted_score == 4.354
    assert (entries[by_plain.pk].rank, entries[by_kind.pk].rank) == (1, 2)
    assert (entries[by_kind.pk].uncalibrated_rank, entries[by_plain.pk].uncalibrated_rank) == (
        1,
        2,
    )
    # The first brief's own snapshot is never its own evidence: unchanged, no new version.
    assert shortlist_compute(brief=world.brief) is None

    scoring_settings_update(actor=admin, workspace_evidence=False)
    again = shortlist_compute(brief=second_brief)
    assert again is not None and again.calibration["workspace_evidence"] is False
    assert again.inputs_hash == alone.inputs_hash


def test_unchanged_inputs_make_no_new_version_and_new_scorecards_do(world):
    submissions = score_panel(world, PANEL)
    first = shortlist_compute(brief=world.brief)
    assert first is not None and first.version == 1
    assert shortlist_compute(brief=world.brief) is None
    # A draft is not an input either.
    world.score(submissions["weak"], world.interviewer("ines"), (5, 5, 5, 5, 5), submit=False)
    assert shortlist_compute(brief=world.brief) is None
    assert Shortlist.objects.filter(brief=world.brief).count() == 1

    world.score(submissions["middle"], world.interviewer("omar"), (4, 4, 4, 4, 4))
    second = shortlist_compute(brief=world.brief)
    assert second is not None
    assert second.version == 2
    assert second.scorecard_count == 9
    assert second.inputs_hash != first.inputs_hash
    assert list(Shortlist.objects.filter(brief=world.brief).values_list("version", flat=True)) == [
        2,
        1,
    ]
    assert OutboxEvent.objects.filter(event_type="shortlist.updated").count() == 2


def test_withdrawn_and_rejected_submissions_leave_the_shortlist(world):
    submissions = score_panel(world, PANEL)
    assert shortlist_compute(brief=world.brief) is not None
    recruiter = Actor.for_user(UserFactory(), agency_id=world.agency.pk)
    submission_withdraw(actor=recruiter, submission=submissions["strong"], reason="Took a job.")
    submission_move_stage(
        actor=world.manager_actor,
        submission=submissions["weak"],
        to_stage="rejected",
        reason="Not enough production work.",
    )
    shortlist = shortlist_compute(brief=world.brief)
    assert shortlist is not None and shortlist.version == 2
    assert shortlist.scorecard_count == 4
    ranked = list(
        ShortlistEntry.objects.filter(shortlist=shortlist)
        .order_by("rank")
        .values_list("submission_id", flat=True)
    )
    assert ranked == [submissions["middle"].pk, submissions["below_floor"].pk]


def test_a_floor_override_lets_a_candidate_compete_for_the_top(world):
    # One interviewer scored everyone, so calibration leaves the raw scores as they are.
    ines = world.interviewer("ines")
    steady = world.submission()
    spiky = world.submission()
    world.score(steady, ines, (2, 2, 2, 2, 2))
    world.score(spiky, ines, (1, 5, 5, 5, 5))  # balanced 3.0, but A is below the floor of 2

    first = shortlist_compute(brief=world.brief)
    assert first is not None
    before = {e.submission_id: e for e in ShortlistEntry.objects.filter(shortlist=first)}
    assert (before[steady.pk].rank, before[spiky.pk].rank) == (1, 2)
    assert before[spiky.pk].balanced_score > before[steady.pk].balanced_score
    assert before[spiky.pk].below_floor == ["A"]
    assert not before[spiky.pk].floor_overridden

    with pytest.raises(ValidationError) as error:
        floor_override_set(
            actor=world.manager_actor, brief=world.brief, submission=spiky, reason="ok"
        )
    assert set(error.value.message_dict) == {"reason"}
    floor_override_set(
        actor=world.manager_actor,
        brief=world.brief,
        submission=spiky,
        reason="Strong delivery elsewhere; we will pair them with our ML lead.",
    )
    assert OutboxEvent.objects.filter(
        event_type="shortlist.inputs_changed", payload__brief_id=str(world.brief.public_id)
    ).exists()
    assert AuditEntry.objects.filter(
        action="shortlist.floor_overridden", object_id=str(spiky.public_id)
    ).exists()

    second = shortlist_compute(brief=world.brief)
    assert second is not None and second.version == 2
    after = {e.submission_id: e for e in ShortlistEntry.objects.filter(shortlist=second)}
    assert (after[spiky.pk].rank, after[steady.pk].rank) == (1, 2)
    assert after[spiky.pk].floor_overridden
    assert after[spiky.pk].below_floor == ["A"]
    assert "overrode the floor" in after[spiky.pk].reason


def test_an_override_on_another_briefs_submission_is_refused(world):
    other_brief = RoleBriefFactory()
    with pytest.raises(ValidationError) as error:
        floor_override_set(
            actor=world.manager_actor,
            brief=world.brief,
            submission=world.submission(brief=other_brief),
            reason="A reason long enough to pass.",
        )
    assert set(error.value.message_dict) == {"submission"}


def test_genai_brief_applies_the_security_floor(world):
    data = ready_brief_data(
        title="LLM support copilot engineer",
        track="ai_ml_engineer",
        needs=["mlops", "genai"],
        uses_llm=True,
        uses_rag=True,
        eval_groundedness="Weekly sample of 200 answers checked against cited sources.",
        eval_hallucination_rate="Under 2% unsupported claims on the golden set.",
        eval_retrieval_quality="Hit rate at 5 above 0.9 on labelled questions.",
        eval_cost_per_request="Below $0.01 per request; 4k token cap.",
        eval_latency_budget="p95 under 2 seconds.",
        **SAFETY_CHECKLIST,
    )
    brief = brief_open(
        actor=world.manager_actor, brief=brief_create(actor=world.manager_actor, data=data)
    )
    ines = world.interviewer("ines")
    careful = world.submission(brief=brief)
    reckless = world.submission(brief=brief)
    world.score(careful, ines, (3, 3, 3, 3, 3))
    world.score(reckless, ines, (5, 5, 5, 2, 5))  # great builder, weak on security

    shortlist = shortlist_compute(brief=brief)
    assert shortlist is not None
    assert shortlist.policy["is_genai"] is True
    assert shortlist.policy["floors"]["D"] == 3
    entries = {e.submission_id: e for e in ShortlistEntry.objects.filter(shortlist=shortlist)}
    assert entries[reckless.pk].balanced_score > entries[careful.pk].balanced_score
    assert (entries[careful.pk].rank, entries[reckless.pk].rank) == (1, 2)
    assert entries[reckless.pk].below_floor == ["D"]
    assert "below the floor of 3 this GenAI brief requires" in entries[reckless.pk].reason


# --- decisions -------------------------------------------------------------------------------


def test_decisions_move_the_stage_and_are_audited(world):
    ines = world.interviewer("ines")
    chosen = world.submission()
    dropped = world.submission()
    unscored = world.submission()
    world.score(chosen, ines, (4, 4, 4, 4, 4))
    world.score(dropped, ines, (2, 2, 2, 2, 2))
    submission_move_stage(actor=world.manager_actor, submission=chosen, to_stage="interview")
    shortlist = shortlist_compute(brief=world.brief)
    assert shortlist is not None
    executive = Actor.for_user(world.member(ClientRole.EXECUTIVE))

    first = decision_record(
        actor=executive, shortlist=shortlist, submission=chosen, decision="advance"
    )
    assert (first.resulting_stage, chosen.stage) == ("shortlisted", "shortlisted")
    second = decision_record(
        actor=executive, shortlist=shortlist, submission=chosen, decision="advance"
    )
    assert second.resulting_stage == "offer"
    chosen.refresh_from_db()
    assert chosen.stage == "offer"
    assert list(
        StageChange.objects.filter(submission=chosen).values_list("from_stage", "to_stage")
    ) == [("submitted", "interview"), ("interview", "shortlisted"), ("shortlisted", "offer")]
    with pytest.raises(ConflictError) as error:
        decision_record(actor=executive, shortlist=shortlist, submission=chosen, decision="advance")
    assert error.value.code == "invalid_transition"

    with pytest.raises(ValidationError) as error:
        decision_record(actor=executive, shortlist=shortlist, submission=dropped, decision="reject")
    assert set(error.value.message_dict) == {"reason"}
    rejected = decision_record(
        actor=executive,
        shortlist=shortlist,
        submission=dropped,
        decision="reject",
        reason="  Weaker on every category than the others.  ",
    )
    assert rejected.resulting_stage == "rejected"
    assert rejected.reason == "Weaker on every category than the others."
    dropped.refresh_from_db()
    assert dropped.stage == "rejected"

    for not_listed in (unscored, world.submission(brief=RoleBriefFactory())):
        with pytest.raises(ValidationError) as error:
            decision_record(
                actor=executive, shortlist=shortlist, submission=not_listed, decision="advance"
            )
        assert set(error.value.message_dict) == {"submission"}
    with pytest.raises(ValidationError) as error:
        decision_record(actor=executive, shortlist=shortlist, submission=chosen, decision="hold")
    assert set(error.value.message_dict) == {"decision"}

    assert list(
        ShortlistDecision.objects.order_by("id").values_list(
            "submission_id", "decision", "resulting_stage", "decided_by_user_id"
        )
    ) == [
        (chosen.pk, "advance", "shortlisted", executive.user_id),
        (chosen.pk, "advance", "offer", executive.user_id),
        (dropped.pk, "reject", "rejected", executive.user_id),
    ]
    audits = list(
        AuditEntry.objects.filter(action__startswith="shortlist.decision.")
        .order_by("id")
        .values_list("action", "object_id", "actor_user_id", "details")
    )
    assert audits == [
        (
            "shortlist.decision.advance",
            str(chosen.public_id),
            executive.user_id,
            {"shortlist_version": 1, "to": "shortlisted"},
        ),
        (
            "shortlist.decision.advance",
            str(chosen.public_id),
            executive.user_id,
            {"shortlist_version": 1, "to": "offer"},
        ),
        (
            "shortlist.decision.reject",
            str(dropped.public_id),
            executive.user_id,
            {"shortlist_version": 1, "to": "rejected"},
        ),
    ]
    # The agency hears about each move through the usual stage event.
    assert (
        OutboxEvent.objects.filter(
            event_type="submission.stage_changed",
            aggregate_id__in=[str(chosen.public_id), str(dropped.public_id)],
        ).count()
        == 4
    )


# --- outbox ----------------------------------------------------------------------------------


def test_submitting_a_scorecard_records_an_event_without_personal_data(world):
    candidate = CandidateFactory(
        full_name="Harriet Quimby", email_normalized="harriet.quimby@mail.test"
    )
    submission = world.submission(candidate=candidate)
    ines = world.interviewer("ines")
    draft = world.score(submission, ines, (4, 3, 4, 3, 4), submit=False)
    assert not OutboxEvent.objects.filter(event_type="scorecard.submitted").exists()
    card = world.score(submission, ines, (4, 3, 4, 3, 4), recommendation="strong_yes")
    assert card.pk == draft.pk
    event = OutboxEvent.objects.get(event_type="scorecard.submitted")
    assert event.aggregate_type == "scorecard"
    assert event.aggregate_id == str(card.public_id)
    assert event.payload == {
        "scorecard_id": str(card.public_id),
        "submission_id": str(submission.public_id),
        "brief_id": str(world.brief.public_id),
        "recommendation": "strong_yes",
    }
    text = json.dumps(event.payload) + json.dumps(
        list(AuditEntry.objects.filter(object_type="scorecard").values_list("details", flat=True))
    )
    for personal in ("Harriet", "Quimby", "harriet", ines.email, ines.name, EVIDENCE):
        assert personal not in text


# --- agency analytics ------------------------------------------------------------------------


def test_agency_analytics_figures(world, tenant_a):
    fast, slow, idle = AgencyFactory(), AgencyFactory(), AgencyFactory()
    for agency in (fast, slow, idle):
        EngagementFactory(client=tenant_a, agency=agency)
    not_engaged = AgencyFactory()
    recruiters = {a.pk: Actor.for_user(UserFactory(), agency_id=a.pk) for a in (fast, slow)}
    briefs = [world.brief] + [
        brief_open(
            actor=world.manager_actor,
            brief=brief_create(actor=world.manager_actor, data=ready_brief_data(title=title)),
        )
        for title in ("Forecasting engineer II", "Pricing model engineer")
    ]

    def submit(agency: Agency, brief: RoleBrief, email: str) -> Submission:
        return submission_create(
            actor=recruiters[agency.pk],
            brief=brief,
            agency=agency,
            candidate_data={"full_name": "Bench Person", "email": email},
            proof=FULL_PROOF,
            right_to_represent=True,
        )

    fast_subs = [
        submit(fast, briefs[0], "f1@mail.test"),
        submit(fast, briefs[0], "f2@mail.test"),
        submit(fast, briefs[1], "f3@mail.test"),
        submit(fast, briefs[2], "f4@mail.test"),
    ]
    slow_subs = [submit(slow, briefs[0], "s1@mail.test"), submit(slow, briefs[0], "s2@mail.test")]
    # Refused submissions: the person belongs to another agency; the same person twice.
    for _ in range(2):
        with pytest.raises(ConflictError):
            submit(slow, briefs[1], "f1@mail.test")
    with pytest.raises(ConflictError):
        submit(fast, briefs[0], "f2@mail.test")

    # Time to first submission per (agency, brief): fast 10 h, 4 h and 1 h (median 4);
    # slow 30 h (its second submission, later still, does not count).
    opened = timezone.now() - dt.timedelta(days=10)
    RoleBrief.objects.filter(pk__in=[b.pk for b in briefs]).update(opened_at=opened)
    for submission, hours in zip(fast_subs + slow_subs, (10, 20, 4, 1, 30, 31), strict=True):
        Submission.objects.filter(pk=submission.pk).update(
            created_at=opened + dt.timedelta(hours=hours)
        )

    submission_move_stage(actor=world.manager_actor, submission=fast_subs[0], to_stage="interview")
    submission_move_stage(
        actor=world.manager_actor, submission=fast_subs[0], to_stage="shortlisted"
    )
    ines, omar = world.interviewer("ines"), world.interviewer("omar")
    world.score(fast_subs[0], ines, (4, 3, 5, 2, None))
    world.score(fast_subs[1], ines, (2, 3, 4, 4, 5))
    world.score(fast_subs[1], omar, (0, 0, 0, 0, 0), submit=False)  # drafts do not count
    world.score(slow_subs[0], omar, (3, 3, 3, 3, 3))

    assert agency_analytics_compute() == 4  # every engaged agency, the fixture's included
    rows = {row.agency_id: row.figures for row in AgencyAnalytics.objects.all()}
    assert set(rows) == {world.agency.pk, fast.pk, slow.pk, idle.pk}
    assert not_engaged.pk not in rows
    assert rows[fast.pk] == {
        "submissions": 4,
        "reached": {
            "submitted": 4,
            "screening": 0,
            "interview": 1,
            "shortlisted": 1,
            "offer": 0,
            "hired": 0,
        },
        "pass_through": {
            "submitted": 1.0,
            "screening": 0.0,
            "interview": 0.25,
            "shortlisted": 0.25,
            "offer": 0.0,
            "hired": 0.0,
        },
        "median_hours_to_first_submission": 4.0,
        "average_scores": {"A": 3.0, "B": 3.0, "C": 4.5, "D": 3.0, "E": 5.0},
        "scorecards": 2,
        "conflicts": {"candidate_owned_by_another_agency": 0, "duplicate_submission": 1},
    }
    assert rows[slow.pk]["submissions"] == 2
    assert rows[slow.pk]["pass_through"]["submitted"] == 1.0
    assert rows[slow.pk]["median_hours_to_first_submission"] == 30.0
    assert rows[slow.pk]["average_scores"] == dict.fromkeys("ABCDE", 3.0)
    assert rows[slow.pk]["scorecards"] == 1
    assert rows[slow.pk]["conflicts"] == {
        "candidate_owned_by_another_agency": 2,
        "duplicate_submission": 0,
    }
    assert rows[idle.pk] == {
        "submissions": 0,
        "reached": dict.fromkeys(
            ("submitted", "screening", "interview", "shortlisted", "offer", "hired"), 0
        ),
        "pass_through": dict.fromkeys(
            ("submitted", "screening", "interview", "shortlisted", "offer", "hired")
        ),
        "median_hours_to_first_submission": None,
        "average_scores": None,
        "scorecards": 0,
        "conflicts": {"candidate_owned_by_another_agency": 0, "duplicate_submission": 0},
    }
    # Recomputing replaces each agency's row rather than adding one.
    assert agency_analytics_compute() == 4
    assert AgencyAnalytics.objects.count() == 4


# --- query counts ----------------------------------------------------------------------------


def brief_with_scorecards(world: World, submissions: int) -> RoleBrief:
    """A brief with `submissions` submissions, each with two submitted scorecards, written
    in bulk (the rules of scorecard_save are tested above)."""
    brief = RoleBriefFactory()
    panel = [world.interviewer("ines"), world.interviewer("omar")]
    rows = SubmissionFactory.create_batch(submissions, brief=brief, agency=world.agency)
    now = timezone.now()
    Scorecard.objects.bulk_create(
        Scorecard(
            submission=submission,
            interviewer=person,
            status=ScorecardStatus.SUBMITTED,
            submitted_at=now,
            recommendation="yes",
            **{name: (index + offset + position) % 6 for position, name in enumerate(SCORE_FIELDS)},
        )
        for index, submission in enumerate(rows)
        for offset, person in enumerate(panel)
    )
    return brief


@pytest.mark.parametrize("workspace_evidence", [False, True])
def test_shortlist_compute_queries_do_not_grow_with_submissions(world, workspace_evidence):
    if workspace_evidence:
        # Other briefs' snapshots are the evidence: one query, however many there are.
        scoring_settings_update(actor=Actor.system("test"), workspace_evidence=workspace_evidence)
        shortlist_compute(brief=brief_with_scorecards(world, 5))
    counts = {}
    for size in (3, 60):
        brief = brief_with_scorecards(world, size)
        with captured_sql() as computing:
            shortlist = shortlist_compute(brief=brief)
        assert shortlist is not None
        assert ShortlistEntry.objects.filter(shortlist=shortlist).count() == size
        with captured_sql() as unchanged:
            assert shortlist_compute(brief=brief) is None
        counts[size] = (computing, unchanged)
    (small_computing, small_unchanged), (large_computing, large_unchanged) = counts[3], counts[60]
    sizes = {"few_rows": "3 submissions", "many_rows": "60 submissions"}
    assert_same_query_count(small_computing, large_computing, label="computing", **sizes)
    assert_same_query_count(small_unchanged, large_unchanged, label="unchanged", **sizes)
