"""Scoring pages over HTTP: queue, assignments, the blind scorecard form, scorecards, shortlist
review with charts and decisions, floor overrides, agency analytics. Their exact query counts,
at 1 and at 100 rows, are in tests/test_query_counts.py."""

import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.actors import Actor
from audit.models import AuditEntry
from hiring.models import InterviewAssignment, RoleBrief, Stage, Submission
from hiring.services.briefs import brief_create, brief_open
from hiring.services.submissions import submission_create, submission_move_stage
from outbox.models import OutboxEvent
from scoring.analytics import agency_analytics_compute
from scoring.charts import (
    FunnelStep,
    ScoreBar,
    category_profile_svg,
    funnel_svg,
    score_bars_svg,
)
from scoring.models import (
    FloorOverride,
    Scorecard,
    ScorecardStatus,
    ShortlistDecision,
    ShortlistEntry,
)
from scoring.services.scorecards import assignment_create, scorecard_save
from scoring.services.shortlists import shortlist_compute
from scoring.templatetags.scoring_format import two_decimals
from tests.conftest import http_client
from tests.factories import GENAI_PLAN, ready_brief_data

pytestmark = pytest.mark.django_db

SVG_NS = "{http://www.w3.org/2000/svg}"
PROOF = {
    "proof_shipped_solution": "Shipped a demand forecasting service used by 300 planners.",
    "proof_baseline": "Baseline MAPE was 31% with the spreadsheet method.",
    "proof_improvement": "Brought MAPE to 14% after adding promotions and holidays.",
    "proof_monitoring": "Weekly drift report on feature distributions and error by region.",
    "proof_quality_dip": "A supplier feed broke in week 3; rolled back and added schema checks.",
    # AI/ML engineer briefs also ask for alerting and rollback (docs/hiring.md).
    "proof_alert_thresholds": "Page the on-call when weekly MAPE rises above 18%.",
    "proof_rollback": "Every model versioned in the registry; one-command rollback.",
}
_numbers = itertools.count(1)


class Scene:
    """One client workspace with an engaged agency, a hiring manager and helpers that create
    briefs, submissions, assignments and scorecards through the services."""

    def __init__(self, tenant: Any, as_role: Any) -> None:
        self.tenant = tenant
        self.as_role = as_role
        self.recruiter = as_role(tenant, "recruiter")
        self.manager = as_role(tenant, "hiring_manager")

    def tenant_schema(self) -> Any:
        return schema_context(self.tenant.schema_name)

    def brief(self, **overrides: Any) -> RoleBrief:
        with self.tenant_schema():
            actor = Actor.for_user(self.manager.user)
            brief = brief_create(actor=actor, data=ready_brief_data(**overrides))
            return brief_open(actor=actor, brief=brief)

    def submission(self, brief: RoleBrief, *, name: str = "", recruiter: Any = None) -> Submission:
        recruiter = recruiter or self.recruiter
        number = next(_numbers)
        with self.tenant_schema():
            return submission_create(
                actor=Actor.for_user(recruiter.user, agency_id=recruiter.agency.pk),
                brief=brief,
                agency=recruiter.agency,
                candidate_data={
                    "full_name": name or f"Candidate Number{number}",
                    "email": f"candidate{number}@mail.example.test",
                },
                proof=PROOF,
                right_to_represent=True,
            )

    def assign(
        self, submission: Submission, interviewer: Any, *, due_at: dt.datetime | None = None
    ) -> InterviewAssignment:
        with self.tenant_schema():
            return assignment_create(
                actor=Actor.for_user(self.manager.user),
                submission=submission,
                interviewer=interviewer.user,
                due_at=due_at,
            )

    def score(
        self,
        submission: Submission,
        interviewer: Any,
        scores: dict[str, int],
        *,
        submit: bool = True,
        evidence: str = "",
        assign: bool = True,
    ) -> Scorecard:
        if assign:
            self.assign(submission, interviewer)
        data: dict[str, Any] = {"recommendation": "yes", "summary": "Solid production story."}
        for code, value in scores.items():
            data[f"score_{code.lower()}"] = value
            data[f"evidence_{code.lower()}"] = (
                evidence or f"Walked through a concrete example for {code}, with numbers."
            )
        with self.tenant_schema():
            return scorecard_save(
                actor=Actor.for_user(interviewer.user),
                submission=submission,
                data=data,
                submit=submit,
            )

    def compute(self, brief: RoleBrief) -> Any:
        with self.tenant_schema():
            return shortlist_compute(brief=brief)


@pytest.fixture
def scene(tenant_a, as_role) -> Scene:
    return Scene(tenant_a, as_role)


@pytest.fixture
def other_tenant_scene(tenant_b, as_role) -> Scene:
    return Scene(tenant_b, as_role)


ALL_SCORES = {"A": 4, "B": 3, "C": 4, "D": 3, "E": 4}


def _svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(match) for match in re.findall(r"<svg\b.*?</svg>", html, flags=re.S)]


def _texts(svg: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in svg.iter(f"{SVG_NS}text")]


# --- 1. the interviewer's queue ----------------------------------------------------------------


def test_queue_lists_own_assignments_with_due_dates_and_status(scene, as_role):
    interviewer = as_role(scene.tenant, "interviewer")
    brief = scene.brief(title="Forecasting engineer")
    late = scene.submission(brief, name="Late Lucy")
    drafted = scene.submission(brief, name="Drafted Dan")
    done = scene.submission(brief, name="Done Dora")
    someone_elses = scene.submission(brief, name="Hidden Harry")
    scene.assign(late, interviewer, due_at=timezone.now() - dt.timedelta(days=2))
    scene.score(drafted, interviewer, {"B": 3}, submit=False)
    scene.score(done, interviewer, ALL_SCORES)
    scene.score(someone_elses, as_role(scene.tenant, "interviewer"), ALL_SCORES)

    response = interviewer.http.get("/scorecards/")

    assert response.status_code == 200
    html = response.content.decode()
    to_score, _, submitted = html.partition('id="done"')
    assert "Late Lucy" in to_score and "Overdue by" in to_score
    assert "Drafted Dan" in to_score and "Continue" in to_score
    assert "Done Dora" in submitted and "Submitted" in submitted
    assert "Hidden Harry" not in html
    assert f"/submissions/{late.public_id}/scorecard/" in html
    assert f"/briefs/{brief.public_id}/" in html


def test_queue_is_for_client_roles_only(scene, as_role):
    for role in ("admin", "hiring_manager", "interviewer", "executive"):
        assert as_role(scene.tenant, role).http.get("/scorecards/").status_code == 200
    for role in ("recruiter", "agency_admin"):
        assert as_role(scene.tenant, role).http.get("/scorecards/").status_code == 404


# --- 2. assigning interviewers -----------------------------------------------------------------


def test_assigning_an_interviewer(scene, as_role):
    interviewer = as_role(scene.tenant, "interviewer")
    executive = as_role(scene.tenant, "executive")
    submission = scene.submission(scene.brief(), name="Ada Assigned")
    url = f"/submissions/{submission.public_id}/interviewers/"

    page = scene.manager.http.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nobody has been asked to score this candidate yet" in html
    # The picker suggests the people who may score, by name and e-mail.
    assert interviewer.user.email in html
    assert executive.user.email not in html  # executives do not score

    due = (timezone.now() + dt.timedelta(days=3)).date()
    response = scene.manager.http.post(
        url, {"interviewer": str(interviewer.user.public_id), "due_date": due.isoformat()}
    )
    assert response.status_code == 302
    with scene.tenant_schema():
        assignment = InterviewAssignment.objects.get(submission=submission)
        assert assignment.interviewer_id == interviewer.user.pk
        assert assignment.assigned_by_user_id == scene.manager.user.pk
        assert assignment.due_at.date() in (due, due + dt.timedelta(days=1))
        assert AuditEntry.objects.filter(
            action="assignment.created", object_id=str(submission.public_id)
        ).exists()
    html = scene.manager.http.get(url).content.decode()
    assert interviewer.user.email in html and "Not started" in html
    # Assigned people leave the picker's suggestions.
    suggestions = html.split('<datalist id="interviewer-options">', 1)[-1].split("</datalist>")[0]
    assert interviewer.user.email not in suggestions


def test_assigning_refuses_people_outside_the_list_and_past_dates(scene, as_role):
    interviewer = as_role(scene.tenant, "interviewer")
    executive = as_role(scene.tenant, "executive")
    submission = scene.submission(scene.brief())
    url = f"/submissions/{submission.public_id}/interviewers/"

    for person in (executive, scene.recruiter):
        response = scene.manager.http.post(url, {"interviewer": str(person.user.public_id)})
        assert response.status_code == 200
        assert "Choose a person from the list." in response.content.decode()
    yesterday = (timezone.now() - dt.timedelta(days=2)).date().isoformat()
    response = scene.manager.http.post(
        url, {"interviewer": str(interviewer.user.public_id), "due_date": yesterday}
    )
    assert "Choose today or a later day." in response.content.decode()
    with scene.tenant_schema():
        assert not InterviewAssignment.objects.filter(submission=submission).exists()


def test_assigning_to_a_closed_submission_is_a_conflict(scene, as_role):
    interviewer = as_role(scene.tenant, "interviewer")
    submission = scene.submission(scene.brief())
    with scene.tenant_schema():
        submission_move_stage(
            actor=Actor.for_user(scene.manager.user),
            submission=submission,
            to_stage=Stage.REJECTED,
            reason="Rate far above the range.",
        )
    response = scene.manager.http.post(
        f"/submissions/{submission.public_id}/interviewers/",
        {"interviewer": str(interviewer.user.public_id)},
    )
    assert response.status_code == 409
    assert "can no longer be scored" in response.content.decode()


def test_assignment_page_roles_and_tenants(scene, other_tenant_scene, as_role):
    submission = scene.submission(scene.brief())
    url = f"/submissions/{submission.public_id}/interviewers/"
    assert as_role(scene.tenant, "admin").http.get(url).status_code == 200
    for role in ("interviewer", "executive", "recruiter", "agency_admin"):
        assert as_role(scene.tenant, role).http.get(url).status_code == 404
    assert scene.recruiter.http.get(url).status_code == 404
    elsewhere = other_tenant_scene.submission(other_tenant_scene.brief())
    assert (
        scene.manager.http.get(f"/submissions/{elsewhere.public_id}/interviewers/").status_code
        == 404
    )


# --- 3. the scorecard form ---------------------------------------------------------------------


def test_scorecard_form_shows_the_kit_of_the_brief(scene, as_role):
    interviewer = as_role(scene.tenant, "interviewer")
    plain = scene.submission(scene.brief(title="Forecasting"))
    genai = scene.submission(
        scene.brief(
            title="Support copilot",
            needs=["genai", "mlops"],
            track="ai_ml_engineer",
            uses_llm=True,
            **GENAI_PLAN,
        )
    )
    scene.assign(plain, interviewer)
    scene.assign(genai, interviewer)

    html = interviewer.http.get(f"/submissions/{plain.public_id}/scorecard/").content.decode()
    assert "Which metric mattered most, and how did you tie it to the business" in html
    assert "Only notebook experiments" in html  # the track's role-fit red flag
    assert "Owned AI features end to end in production" in html  # the 5 anchor of A
    assert "How did you defend against prompt injection" not in html
    assert "Evidence is <strong>required for a score of 0, 1 or 5" in html
    for value in range(6):
        assert f'name="score_a" value="{value}"' in html
    assert 'value="save"' in html and 'value="submit"' in html

    html = interviewer.http.get(f"/submissions/{genai.public_id}/scorecard/").content.decode()
    assert "How did you defend against prompt injection" in html
    assert "Has not heard of prompt injection" in html


def test_scorecard_form_is_only_for_the_assigned_interviewer(scene, other_tenant_scene, as_role):
    assigned = as_role(scene.tenant, "interviewer")
    submission = scene.submission(scene.brief())
    scene.assign(submission, assigned)
    url = f"/submissions/{submission.public_id}/scorecard/"
    assert assigned.http.get(url).status_code == 200
    for role in ("interviewer", "hiring_manager", "admin", "executive", "recruiter"):
        assert as_role(scene.tenant, role).http.get(url).status_code == 404
    assert scene.recruiter.http.get(url).status_code == 404
    assert scene.manager.http.post(url, {"action": "save", "score_a": "3"}).status_code == 404

    elsewhere = other_tenant_scene.submission(other_tenant_scene.brief())
    assert assigned.http.get(f"/submissions/{elsewhere.public_id}/scorecard/").status_code == 404
    # A member of the other client is not let into this workspace at all.
    stranger = as_role(other_tenant_scene.tenant, "interviewer")
    assert http_client(tenant=scene.tenant, user=stranger.user).get(url).status_code == 404


def test_saving_a_draft(scene, as_role):
    interviewer = as_role(scene.tenant, "interviewer")
    submission = scene.submission(scene.brief())
    scene.assign(submission, interviewer)
    url = f"/submissions/{submission.public_id}/scorecard/"

    response = interviewer.http.post(
        url,
        {
            "action": "save",
            "score_b": "3",
            "evidence_b": "Built validation for a messy sensor feed.",
            "summary": "First impressions only.",
        },
    )

    assert response.status_code == 302
    with scene.tenant_schema():
        card = Scorecard.objects.get(submission=submission, interviewer_id=interviewer.user.pk)
        assert card.status == ScorecardStatus.DRAFT
        assert (card.score_a, card.score_b) == (None, 3)
        assert card.summary == "First impressions only."
        assert not OutboxEvent.objects.filter(event_type="scorecard.submitted").exists()
    html = interviewer.http.get(url).content.decode()
    assert "Draft saved" in html
    assert 'name="score_b" value="3" required' not in html  # optional in a draft
    assert re.search(r'name="score_b" value="3"[^>]*checked', html)
    assert "Built validation for a messy sensor feed." in html


def test_submitting_a_5_without_evidence_is_refused_and_nothing_is_written(scene, as_role):
    interviewer = as_role(scene.tenant, "interviewer")
    submission = scene.submission(scene.brief())
    scene.assign(submission, interviewer)
    url = f"/submissions/{submission.public_id}/scorecard/"
    interviewer.http.post(url, {"action": "save", "summary": "Kept draft."})

    response = interviewer.http.post(
        url,
        {
            "action": "submit",
            "score_a": "5",
            "evidence_a": "",
            "score_c": "3",
            "recommendation": "yes",
            "summary": "Changed in the refused submit.",
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "A score of 5 needs the evidence you saw" in html
    assert "Nothing was saved" in html
    assert re.search(r'name="score_a" value="5"[^>]*checked', html)  # the input is kept
    with scene.tenant_schema():
        card = Scorecard.objects.get(submission=submission, interviewer_id=interviewer.user.pk)
        assert card.status == ScorecardStatus.DRAFT
        assert card.summary == "Kept draft."
        assert card.score_a is None
        assert not AuditEntry.objects.filter(action="scorecard.submitted").exists()
        assert not OutboxEvent.objects.filter(event_type="scorecard.submitted").exists()


def test_submitting_needs_a_recommendation(scene, as_role):
    interviewer = as_role(scene.tenant, "interviewer")
    submission = scene.submission(scene.brief())
    scene.assign(submission, interviewer)
    response = interviewer.http.post(
        f"/submissions/{submission.public_id}/scorecard/", {"action": "submit", "score_c": "3"}
    )
    assert "Give your overall recommendation." in response.content.decode()
    with scene.tenant_schema():
        assert not Scorecard.objects.filter(submission=submission).exists()


def test_submitting_a_scorecard_makes_it_final(scene, as_role):
    interviewer = as_role(scene.tenant, "interviewer")
    submission = scene.submission(scene.brief())
    scene.assign(submission, interviewer)
    url = f"/submissions/{submission.public_id}/scorecard/"
    data = {
        "action": "submit",
        "score_a": "5",
        "evidence_a": "Cut forecast error from 31% to 14% and showed the dashboards.",
        "score_b": "4",
        "score_c": "3",
        "score_d": "2",
        "score_e": "4",
        "recommendation": "strong_yes",
        "summary": "Owns models after launch.",
    }

    response = interviewer.http.post(url, data)

    assert response.status_code == 302
    with scene.tenant_schema():
        card = Scorecard.objects.get(submission=submission, interviewer_id=interviewer.user.pk)
        assert card.status == ScorecardStatus.SUBMITTED
        assert card.scores() == {"A": 5, "B": 4, "C": 3, "D": 2, "E": 4}
        assert card.recommendation == "strong_yes"
        assert AuditEntry.objects.filter(action="scorecard.submitted").count() == 1
        assert OutboxEvent.objects.filter(event_type="scorecard.submitted").count() == 1
    html = interviewer.http.get(url).content.decode()
    assert "Submitted scorecards are final" in html
    assert "Cut forecast error from 31% to 14%" in html
    assert 'value="submit"' not in html

    refused = interviewer.http.post(url, {**data, "summary": "Edited later."})
    assert refused.status_code == 409
    assert "can no longer change" in refused.content.decode()
    with scene.tenant_schema():
        assert Scorecard.objects.get(pk=card.pk).summary == "Owns models after launch."


def test_scoring_is_blind_until_the_interviewer_submits(scene, as_role):
    first = as_role(scene.tenant, "interviewer")
    second = as_role(scene.tenant, "interviewer")
    submission = scene.submission(scene.brief())
    scene.assign(submission, first)
    scene.assign(submission, second)
    url = f"/submissions/{submission.public_id}/scorecard/"
    first.http.post(
        url,
        {
            "action": "submit",
            "score_a": "5",
            "evidence_a": "FIRST-INTERVIEWER-EVIDENCE shipped a ranking model.",
            "recommendation": "yes",
        },
    )

    before = second.http.get(url).content.decode()
    assert "FIRST-INTERVIEWER-EVIDENCE" not in before
    assert "Scoring is blind" in before

    second.http.post(url, {"action": "save", "evidence_b": "SECOND-DRAFT-EVIDENCE is private."})
    assert "SECOND-DRAFT-EVIDENCE" not in first.http.get(url).content.decode()
    assert "FIRST-INTERVIEWER-EVIDENCE" not in second.http.get(url).content.decode()

    second.http.post(
        url,
        {
            "action": "submit",
            "score_a": "2",
            "score_b": "3",
            "evidence_b": "SECOND-DRAFT-EVIDENCE is private.",
            "recommendation": "mixed",
        },
    )
    after = second.http.get(url).content.decode()
    assert "FIRST-INTERVIEWER-EVIDENCE" in after
    assert "3 points apart" in after  # 5 and 2 on applied AI delivery
    assert "SECOND-DRAFT-EVIDENCE" in first.http.get(url).content.decode()


# --- 4. the scorecards of a submission ---------------------------------------------------------


def test_submission_scorecards_side_by_side_with_disagreement(scene, as_role):
    first = as_role(scene.tenant, "interviewer")
    second = as_role(scene.tenant, "interviewer")
    waiting = as_role(scene.tenant, "interviewer")
    submission = scene.submission(scene.brief())
    scene.score(
        submission,
        first,
        {"A": 1, "B": 3, "C": 3, "D": 3, "E": 3},
        evidence="EVIDENCE-1 notebooks only",
    )
    scene.score(
        submission, second, {"A": 4, "B": 3, "C": 4, "D": 3, "E": 3}, evidence="EVIDENCE-2 shipped"
    )
    scene.score(submission, waiting, {"A": 5}, submit=False, evidence="DRAFT-EVIDENCE unseen")
    url = f"/submissions/{submission.public_id}/scorecards/"

    response = scene.manager.http.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "EVIDENCE-1 notebooks only" in html and "EVIDENCE-2 shipped" in html
    assert "DRAFT-EVIDENCE" not in html
    assert "2 scorecards submitted" in html
    assert waiting.user.display_name in html.partition("Waiting for:")[2]
    disagreeing = re.findall(r'<tr class="sc-disagree">.*?</tr>', html, flags=re.S)
    assert len(disagreeing) == 1
    assert "Applied AI delivery" in disagreeing[0] and "3 points apart" in disagreeing[0]

    for role in ("admin", "executive"):
        assert as_role(scene.tenant, role).http.get(url).status_code == 200
    for role in ("interviewer", "recruiter", "agency_admin"):
        assert as_role(scene.tenant, role).http.get(url).status_code == 404
    assert first.http.get(url).status_code == 404  # interviewers use their own form
    assert scene.recruiter.http.get(url).status_code == 404


# --- 5. the shortlist --------------------------------------------------------------------------


def test_shortlist_without_candidates_to_rank_says_why(scene, as_role):
    interviewer = as_role(scene.tenant, "interviewer")
    brief = scene.brief()
    empty = scene.brief(title="Nobody yet")
    submission = scene.submission(brief)
    scene.score(submission, interviewer, {"A": 3}, submit=False)
    url = f"/briefs/{brief.public_id}/shortlist/"

    html = scene.manager.http.get(url).content.decode()
    assert "No shortlist yet" in html
    assert "none has been submitted yet" in html and "1 scorecard still in draft" in html
    assert 'class="card sc-entry' not in html
    html = scene.manager.http.get(f"/briefs/{empty.public_id}/shortlist/").content.decode()
    assert "No candidate has been submitted to this brief yet" in html

    # A recompute before any submitted scorecard stores an empty version: same explanation.
    assert scene.compute(brief).scorecard_count == 0
    html = scene.manager.http.get(url).content.decode()
    assert "Nobody to rank yet" in html and "none has been submitted yet" in html

    # Scorecards submitted after the latest version: the next one is on its way.
    scene.score(scene.submission(brief), interviewer, ALL_SCORES)
    assert "being computed in the background" in scene.manager.http.get(url).content.decode()
    assert scene.compute(brief).scorecard_count == 1
    assert 'class="card sc-entry' in scene.manager.http.get(url).content.decode()

    # Everyone scored was rejected since: nobody left to rank.
    with scene.tenant_schema():
        for scored in Submission.objects.filter(brief=brief, scorecards__status="submitted"):
            submission_move_stage(
                actor=Actor.for_user(scene.manager.user),
                submission=scored,
                to_stage=Stage.REJECTED,
                reason="Another candidate was hired.",
            )
    assert scene.compute(brief).scorecard_count == 0
    html = scene.manager.http.get(url).content.decode()
    assert "has since been rejected or withdrawn" in html


def test_shortlist_shows_ranking_flags_reasons_and_charts(scene, as_role):
    brief = scene.brief(title="Delay prediction")
    interviewer, other = as_role(scene.tenant, "interviewer"), as_role(scene.tenant, "interviewer")
    strong = scene.submission(brief, name="Strong Sam")
    weak_a = scene.submission(brief, name="Floor Fiona")
    scene.score(strong, interviewer, {"A": 5, "B": 4, "C": 4, "D": 4, "E": 4})
    scene.score(strong, other, {"A": 4, "B": 4, "C": 4, "D": 4, "E": 4})
    scene.score(weak_a, interviewer, {"A": 1, "B": 5, "C": 5, "D": 4, "E": 5})
    snapshot = scene.compute(brief)
    with scene.tenant_schema():
        entries = {e.submission_id: e for e in ShortlistEntry.objects.filter(shortlist=snapshot)}

    response = as_role(scene.tenant, "executive").http.get(f"/briefs/{brief.public_id}/shortlist/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Version {snapshot.version}" in html
    assert "from 3 submitted scorecards" in html
    assert html.index("Strong Sam") < html.index("Floor Fiona")
    assert scene.recruiter.agency.name in html
    for entry in entries.values():
        assert f"{entry.balanced_score:.2f}" in html
        # Shown with 2 decimals, like the charts (scoring_format.two_decimals).
        assert two_decimals(entry.reason) in html
    assert "Below floor: A Applied AI delivery" in html
    assert "Let compete despite floor" in html
    assert "A. Applied AI delivery: at least 2" in html

    svgs = _svgs(html)
    # The top chart (wide, and its phone layout) and one category profile per candidate
    # (nobody quoted a rate: no value-for-money chart).
    assert len(svgs) == 4
    top_texts = " ".join(_texts(svgs[0]))
    for entry in entries.values():
        assert f"{entry.balanced_score:.2f}" in top_texts
    assert "#1 Strong Sam" in top_texts and "below floor" in top_texts
    assert svgs[0].find(f"{SVG_NS}title") is not None
    fiona = entries[weak_a.pk]
    profile_texts = _texts(svgs[3])
    assert f"{fiona.category_means['A']:.2f}" in profile_texts
    assert any("below the floor" in (title.text or "") for title in svgs[3].iter(f"{SVG_NS}title"))


def test_shortlist_is_for_reviewers_of_this_client_only(scene, other_tenant_scene, as_role):
    brief = scene.brief()
    scene.score(scene.submission(brief), as_role(scene.tenant, "interviewer"), ALL_SCORES)
    scene.compute(brief)
    url = f"/briefs/{brief.public_id}/shortlist/"
    for role in ("admin", "hiring_manager", "executive"):
        assert as_role(scene.tenant, role).http.get(url).status_code == 200
    for role in ("interviewer", "recruiter", "agency_admin"):
        assert as_role(scene.tenant, role).http.get(url).status_code == 404
    assert scene.recruiter.http.get(url).status_code == 404
    elsewhere = other_tenant_scene.brief()
    assert scene.manager.http.get(f"/briefs/{elsewhere.public_id}/shortlist/").status_code == 404
    assert (
        scene.manager.http.get(f"/briefs/{scene.brief().public_id}/shortlist/").status_code == 200
    )


def _scored_brief(scene: Scene, as_role: Any, names: list[str]) -> tuple[RoleBrief, Any, list]:
    brief = scene.brief()
    interviewer = as_role(scene.tenant, "interviewer")
    submissions = [scene.submission(brief, name=name) for name in names]
    for submission in submissions:
        scene.score(submission, interviewer, ALL_SCORES)
    return brief, scene.compute(brief), submissions


def test_executive_advances_a_candidate_from_the_snapshot(scene, as_role):
    brief, snapshot, (submission,) = _scored_brief(scene, as_role, ["Advance Ava"])
    executive = as_role(scene.tenant, "executive")

    response = executive.http.post(
        f"/briefs/{brief.public_id}/shortlist/decide/",
        {
            "shortlist": str(snapshot.public_id),
            "submission": str(submission.public_id),
            "decision": "advance",
        },
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"#entry-{submission.public_id}")
    with scene.tenant_schema():
        submission.refresh_from_db()
        assert submission.stage == Stage.INTERVIEW
        decision = ShortlistDecision.objects.get(submission=submission)
        assert (decision.decision, decision.shortlist_id) == ("advance", snapshot.pk)
        assert decision.decided_by_user_id == executive.user.pk
        audit = AuditEntry.objects.get(action="shortlist.decision.advance")
        assert audit.object_id == str(submission.public_id)
        assert audit.actor_user_id == executive.user.pk
    html = executive.http.get(f"/briefs/{brief.public_id}/shortlist/").content.decode()
    assert f"Advanced by {executive.user.display_name}" in html
    assert "Decisions taken" in html
    assert "Advance to shortlisted" in html  # the next step from interview


def test_rejecting_needs_a_reason(scene, as_role):
    brief, snapshot, (submission,) = _scored_brief(scene, as_role, ["Reject Rita"])
    admin = as_role(scene.tenant, "admin")
    url = f"/briefs/{brief.public_id}/shortlist/decide/"
    form = {
        "shortlist": str(snapshot.public_id),
        "submission": str(submission.public_id),
        "decision": "reject",
    }

    refused = admin.http.post(url, form)

    assert refused.status_code == 200
    assert "Give a reason when rejecting." in refused.content.decode()
    with scene.tenant_schema():
        submission.refresh_from_db()
        assert submission.stage == Stage.SUBMITTED
        assert not ShortlistDecision.objects.exists()

    assert admin.http.post(url, {**form, "reason": "Rate is twice the range."}).status_code == 302
    with scene.tenant_schema():
        submission.refresh_from_db()
        assert submission.stage == Stage.REJECTED
        assert AuditEntry.objects.filter(action="shortlist.decision.reject").count() == 1
    html = admin.http.get(f"/briefs/{brief.public_id}/shortlist/").content.decode()
    assert "Rate is twice the range." in html
    assert 'value="reject"' not in html  # nothing left to decide


def test_only_executives_and_admins_decide(scene, other_tenant_scene, as_role):
    brief, snapshot, (submission,) = _scored_brief(scene, as_role, ["Guarded Gus"])
    form = {
        "shortlist": str(snapshot.public_id),
        "submission": str(submission.public_id),
        "decision": "advance",
    }
    url = f"/briefs/{brief.public_id}/shortlist/decide/"
    for role in ("hiring_manager", "interviewer", "recruiter"):
        assert as_role(scene.tenant, role).http.post(url, form).status_code == 404
    html = scene.manager.http.get(f"/briefs/{brief.public_id}/shortlist/").content.decode()
    assert 'value="advance"' not in html
    executive = as_role(scene.tenant, "executive")
    other_brief = scene.brief()
    assert (
        executive.http.post(f"/briefs/{other_brief.public_id}/shortlist/decide/", form).status_code
        == 404
    )
    elsewhere = other_tenant_scene.brief()
    assert (
        executive.http.post(f"/briefs/{elsewhere.public_id}/shortlist/decide/", form).status_code
        == 404
    )
    with scene.tenant_schema():
        submission.refresh_from_db()
        assert submission.stage == Stage.SUBMITTED


def test_letting_a_candidate_compete_despite_the_floor(scene, as_role):
    brief = scene.brief()
    below = scene.submission(brief, name="Below Bea")
    scene.score(
        below, as_role(scene.tenant, "interviewer"), {"A": 1, "B": 5, "C": 5, "D": 5, "E": 5}
    )
    scene.compute(brief)
    url = f"/briefs/{brief.public_id}/shortlist/floor-override/"

    refused = scene.manager.http.post(url, {"submission": str(below.public_id), "reason": "ok"})
    assert refused.status_code == 200
    assert "Explain in a sentence why" in refused.content.decode()
    with scene.tenant_schema():
        assert not FloorOverride.objects.exists()

    reason = "Applied AI is thin but she ran our data platform for five years."
    response = scene.manager.http.post(url, {"submission": str(below.public_id), "reason": reason})
    assert response.status_code == 302
    with scene.tenant_schema():
        override = FloorOverride.objects.get(submission=below)
        assert (override.reason, override.decided_by_user_id) == (reason, scene.manager.user.pk)
        assert AuditEntry.objects.filter(action="shortlist.floor_overridden").count() == 1
        assert OutboxEvent.objects.filter(event_type="shortlist.inputs_changed").count() == 1
    html = scene.manager.http.get(f"/briefs/{brief.public_id}/shortlist/").content.decode()
    assert reason in html and "Takes effect in the next version" in html

    scene.compute(brief)
    html = scene.manager.http.get(f"/briefs/{brief.public_id}/shortlist/").content.decode()
    assert "Competes despite floor" in html
    assert "Takes effect in the next version" not in html
    assert (
        as_role(scene.tenant, "interviewer")
        .http.post(url, {"submission": str(below.public_id), "reason": reason})
        .status_code
        == 404
    )


def test_recompute_now_queues_one_background_run(scene, as_role, monkeypatch):
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(
        "scoring.tasks.shortlists.send_to_tenant", lambda **kwargs: sent.append(kwargs)
    )
    brief = scene.brief()
    url = f"/briefs/{brief.public_id}/shortlist/recompute/"

    first = scene.manager.http.post(url, follow=True)
    assert "Recompute queued" in first.content.decode()
    second = scene.manager.http.post(url, follow=True)
    assert "already queued" in second.content.decode()

    assert len(sent) == 1
    assert sent[0]["task_name"] == "scoring.tasks.shortlists.shortlist_recompute"
    assert sent[0]["schema_name"] == scene.tenant.schema_name
    assert sent[0]["kwargs"] == {"brief_public_id": str(brief.public_id)}
    assert as_role(scene.tenant, "interviewer").http.post(url).status_code == 404
    assert scene.recruiter.http.post(url).status_code == 404
    assert scene.manager.http.get(url).status_code == 405


# --- charts ------------------------------------------------------------------------------------


def test_charts_are_valid_svg_with_escaped_labels():
    bars = score_bars_svg(
        [
            ScoreBar(rank=1, label="O'Brien & <Sons>", value=3.456, confidence=0.8),
            ScoreBar(rank=2, label="Low Lee", value=1.2, confidence=0.25, note="below floor"),
        ],
        title="Top <candidates>",
    )
    root = ET.fromstring(str(bars))
    assert root.tag == f"{SVG_NS}svg"
    texts = _texts(root)
    assert "#1 O'Brien & <Sons>" in texts
    assert "3.46 · 80% confidence" in texts
    assert "1.20 · 25% confidence · below floor" in texts
    assert root.find(f"{SVG_NS}title").text == "Top <candidates>"
    assert "<Sons>" not in str(bars)
    opacities = [float(r.get("fill-opacity")) for r in root.iter(f"{SVG_NS}rect")]
    assert opacities[0] > opacities[1]

    profile = ET.fromstring(
        str(
            category_profile_svg(
                {"A": 1.5, "B": 4.0, "C": None, "D": 3.25, "E": 5.0},
                {"A": 2, "D": 3},
                title="Profile",
            )
        )
    )
    texts = _texts(profile)
    # Two decimals, as in the reasons beside them (4.95 never reads as 5.0).
    assert {"1.50", "4.00", "3.25", "5.00", "\u2013"} <= set(texts)
    titles = [t.text for t in profile.iter(f"{SVG_NS}title")]
    assert "A Applied AI delivery: 1.50 of 5; floor 2 (below the floor)" in titles
    assert "C Production readiness: not scored" in titles
    assert len([ln for ln in profile.iter(f"{SVG_NS}line") if ln.get("stroke-dasharray")]) == 3

    funnel = ET.fromstring(
        str(
            funnel_svg(
                [FunnelStep("Submitted", 10, 1.0), FunnelStep("Hired", 1, 0.1)], title="Funnel"
            )
        )
    )
    assert {"10 · 100%", "1 · 10%"} <= set(_texts(funnel))
    assert ET.fromstring(str(score_bars_svg([], title="Empty"))) is not None


# --- 6. agency analytics -----------------------------------------------------------------------


def test_agency_analytics_for_clients_and_agencies(scene, as_role, monkeypatch):
    other_recruiter = as_role(scene.tenant, "recruiter")
    scene.recruiter.agency.name = "Northwind Talent"
    scene.recruiter.agency.save(update_fields=["name"])
    other_recruiter.agency.name = "Southbank Staffing"
    other_recruiter.agency.save(update_fields=["name"])
    brief = scene.brief()
    interviewer = as_role(scene.tenant, "interviewer")
    for _ in range(3):
        scene.score(scene.submission(brief), interviewer, ALL_SCORES)
    scene.submission(brief, recruiter=other_recruiter)

    empty = scene.manager.http.get("/analytics/agencies/")
    assert empty.status_code == 200
    assert "No figures yet" in empty.content.decode()

    with scene.tenant_schema():
        agency_analytics_compute()
    response = as_role(scene.tenant, "executive").http.get("/analytics/agencies/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Northwind Talent" in html and "Southbank Staffing" in html
    assert "Figures as of" in html and "Refresh now" in html
    svgs = _svgs(html)
    assert svgs and all(svg.tag == f"{SVG_NS}svg" for svg in svgs)
    assert any("3 · 100%" in _texts(svg) for svg in svgs)

    own = scene.recruiter.http.get("/analytics/agencies/")
    assert own.status_code == 200
    html = own.content.decode()
    assert "Northwind Talent" in html and "Southbank Staffing" not in html
    assert "Refresh now" not in html
    # Three scorecards: the client sees the average profile, the agency does not (yet).
    profile = "Average scorecard scores of Northwind Talent&#x27;s candidates"
    assert profile in response.content.decode()
    assert profile not in html
    theirs = other_recruiter.http.get("/analytics/agencies/").content.decode()
    assert "Northwind Talent" not in theirs

    for role in ("admin", "hiring_manager"):
        assert as_role(scene.tenant, role).http.get("/analytics/agencies/").status_code == 200
    assert interviewer.http.get("/analytics/agencies/").status_code == 404


def test_refreshing_agency_analytics_queues_the_task_for_this_tenant(scene, as_role, monkeypatch):
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr("tenants.tasks.send_to_tenant", lambda **kwargs: sent.append(kwargs))
    executive = as_role(scene.tenant, "executive")

    response = executive.http.post("/analytics/agencies/refresh/", follow=True)

    assert response.status_code == 200
    assert "Refresh queued" in response.content.decode()
    assert sent == [
        {
            "task_name": "scoring.tasks.analytics.agency_analytics_refresh",
            "schema_name": scene.tenant.schema_name,
        }
    ]
    for acting in (scene.recruiter, as_role(scene.tenant, "interviewer")):
        assert acting.http.post("/analytics/agencies/refresh/").status_code == 404
    assert len(sent) == 1


# --- blind scoring holds on every page (issue: the shortlist and analytics leaked it) --------


def _panel_with_a_blind_manager(scene: Scene) -> tuple[RoleBrief, Submission, Any]:
    """Two interviewers scored a candidate (and the ranking says so in numbers); the hiring
    manager is assigned to score the same candidate and has not submitted yet."""
    brief = scene.brief(title="Blind panel role")
    submission = scene.submission(brief, name="Blinda Candidate")
    other = scene.submission(brief, name="Other Candidate")
    first, second = (
        scene.as_role(scene.tenant, "interviewer"),
        scene.as_role(scene.tenant, "interviewer"),
    )
    scene.score(submission, first, {"A": 5, "B": 0, "C": 4, "D": 4, "E": 4})
    scene.score(submission, second, {"A": 5, "B": 1, "C": 4, "D": 4, "E": 4})
    scene.score(other, first, {"A": 2, "B": 2, "C": 2, "D": 2, "E": 2})
    scene.assign(submission, scene.manager)
    scene.compute(brief)
    with scene.tenant_schema():
        agency_analytics_compute()
    return brief, submission, first


def test_a_manager_still_to_score_sees_no_ranking_nor_means_on_the_shortlist(scene):
    brief, submission, _ = _panel_with_a_blind_manager(scene)
    page = scene.manager.http.get(f"/briefs/{brief.public_id}/shortlist/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Your scorecards first" in text
    assert f"/submissions/{submission.public_id}/scorecard/" in text
    for leak in ("Strongest on", "weakest on", "5.0", "0.5", "Category profile", "<svg"):
        assert leak not in text, leak
    decided = scene.manager.http.post(
        f"/briefs/{brief.public_id}/shortlist/floor-override/",
        {"submission": str(submission.public_id), "reason": "Strong enough on data anyway."},
    )
    assert decided.status_code == 409
    # Once the manager's own scorecard is in, the shortlist opens.
    scene.score(submission, scene.manager, {"A": 4, "B": 2, "C": 4, "D": 4, "E": 4}, assign=False)
    scene.compute(brief)
    opened = scene.manager.http.get(f"/briefs/{brief.public_id}/shortlist/").content.decode()
    assert "Your scorecards first" not in opened and "Blinda Candidate" in opened


def test_an_executive_not_assigned_still_sees_the_shortlist(scene):
    brief, _, _ = _panel_with_a_blind_manager(scene)
    executive = scene.as_role(scene.tenant, "executive")
    text = executive.http.get(f"/briefs/{brief.public_id}/shortlist/").content.decode()
    assert "Your scorecards first" not in text and "Blinda Candidate" in text


def test_agency_analytics_hide_averages_from_someone_still_to_score(scene):
    _panel_with_a_blind_manager(scene)
    blind = scene.manager.http.get("/analytics/agencies/").content.decode()
    assert "Hidden until your own scorecards" in blind
    assert "Average scorecard scores of" not in blind
    executive = scene.as_role(scene.tenant, "executive")
    seeing = executive.http.get("/analytics/agencies/").content.decode()
    assert "Hidden until your own scorecards" not in seeing


def test_the_digest_names_no_leader_to_an_executive_still_to_score(scene, mailoutbox):
    from notifications.reminders.digest import digest_send
    from tenants.models import ClientMembership

    _panel_with_a_blind_manager(scene)
    # Asked to score as a hiring manager, then made an executive: still blind on it.
    blind_exec = scene.manager
    ClientMembership.objects.filter(user=blind_exec.user).update(role="executive")
    seeing_exec = scene.as_role(scene.tenant, "executive")
    # Midday, so the e-mails are not held for the quiet hours whenever the suite runs.
    midday = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    with scene.tenant_schema():
        assert digest_send(now=midday, force=True) == 2
    bodies = {message.to[0]: message.body for message in mailoutbox}
    assert "ranked first: Blinda Candidate" in bodies[seeing_exec.user.email]
    blind_body = bodies[blind_exec.user.email]
    assert "Blinda Candidate" not in blind_body
    assert "opens to you once your own scorecards" in blind_body
