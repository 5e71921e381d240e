"""Interview kits per track (scoring.kits), their workspace versions (scoring.services.kits)
and the kit pages, and the scorecard form that shows the kit version it used."""

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from audit.actors import Actor
from audit.errors import ConflictError
from audit.models import AuditEntry
from scoring.kits import (
    ROLE_FIT_PROBE,
    TRACKS,
    WEEK3_SCENARIO,
    brief_has_decision_impact,
    interview_kit,
    kit_sections,
    standard_questions,
)
from scoring.models import InterviewKitVersion, Scorecard
from scoring.selectors import kit_current
from scoring.services.kits import (
    kit_question_add,
    kit_question_retire,
    kit_question_reword,
    kit_version_current,
)
from scoring.services.scorecards import scorecard_save
from tests.factories import (
    InterviewAssignmentFactory,
    RoleBriefFactory,
    SubmissionFactory,
    ready_brief_data,
)

pytestmark = pytest.mark.django_db


def _texts(track: str, *, is_genai: bool = False, decision_impact: bool = False) -> set[str]:
    texts: set[str] = set()
    for section in interview_kit(track=track, is_genai=is_genai, decision_impact=decision_impact):
        texts.update(section.probes)
        texts.update(section.red_flags)
    return texts


# --- the standard kits -------------------------------------------------------------------


def test_each_track_has_its_own_questions() -> None:
    kits = {track: _texts(track) for track in TRACKS}
    shared = kits["python_developer"] & kits["python_ai_developer"] & kits["ai_ml_engineer"]
    for track, texts in kits.items():
        others = set().union(*(kits[t] for t in TRACKS if t != track))
        assert len(texts - others) >= 8, track
    # What every track shares: the role-fit check and the week-three scenario.
    assert {ROLE_FIT_PROBE, WEEK3_SCENARIO} <= shared


def test_tracks_probe_what_their_work_needs() -> None:
    developer = " ".join(_texts("python_developer")).lower()
    for word in ("api", "pipeline", "integration", "tests", "incident"):
        assert word in developer, word
    ai_developer = " ".join(_texts("python_ai_developer")).lower()
    for word in ("messy data", "business metric", "leak", "reproduce"):
        assert word in ai_developer, word
    engineer = " ".join(_texts("ai_ml_engineer")).lower()
    for word in ("rollback", "monitor", "drift", "cost", "canary"):
        assert word in engineer, word
    # The Python developer kit does not ask the model-training questions of the AI tracks.
    assert "leakage" not in developer
    # Cost control is asked of AI/ML engineers on every brief, not only on GenAI ones.
    assert any("inference cost" in text for text in _texts("ai_ml_engineer"))


def test_notebook_only_is_a_role_fit_red_flag_in_every_track() -> None:
    for track in TRACKS:
        flags = [
            q
            for q in standard_questions(track)
            if q["tag"] == "role_fit" and q["kind"] == "red_flag"
        ]
        assert len(flags) == 1 and "notebook" in flags[0]["text"].lower(), track
        assert "mismatch" in flags[0]["text"].lower()


def test_genai_and_decision_impact_additions_join_only_when_the_brief_calls_for_them() -> None:
    plain = _texts("python_ai_developer")
    genai = _texts("python_ai_developer", is_genai=True)
    impact = _texts("python_ai_developer", decision_impact=True)
    assert plain < genai and plain < impact
    assert any("prompt injection" in text for text in genai - plain)
    assert any("groundedness" in text for text in genai - plain)
    assert not any("bias" in text for text in genai)
    assert any("bias" in text for text in impact - plain)
    assert any("explain" in text.lower() for text in impact - plain)


def test_decision_impact_reads_the_brief_flag_and_defaults_to_false() -> None:
    assert brief_has_decision_impact(SimpleNamespace()) is False
    assert brief_has_decision_impact(SimpleNamespace(decision_impact=False)) is False
    assert brief_has_decision_impact(SimpleNamespace(decision_impact=True)) is True


def test_retired_questions_never_reach_a_scorecard() -> None:
    questions = standard_questions("ai_ml_engineer")
    questions[0]["retired"] = True
    sections = kit_sections(questions, is_genai=True, decision_impact=True)
    assert questions[0]["text"] not in {t for s in sections for t in (*s.probes, *s.red_flags)}


# --- versions ------------------------------------------------------------------------------


@pytest.fixture
def admin(tenant_a: Any, as_role: Any) -> Any:
    return as_role(tenant_a, "admin")


def test_the_standard_kit_is_version_1_and_stored_once(tenant_a: Any, in_tenant: Any) -> None:
    with in_tenant(tenant_a):
        unsaved = kit_current(track="ai_ml_engineer")
        assert unsaved.pk is None and unsaved.version == 1
        first = kit_version_current(track="ai_ml_engineer")
        again = kit_version_current(track="ai_ml_engineer")
        assert first.pk == again.pk and first.version == 1
        assert first.questions == unsaved.questions
        assert InterviewKitVersion.objects.filter(track="ai_ml_engineer").count() == 1
        # The first need stores the standard kit of every track, each as its version 1.
        assert set(InterviewKitVersion.objects.values_list("track", "version")) == {
            (track, 1) for track in TRACKS
        }


def test_every_change_is_a_new_version_and_old_versions_stay(
    tenant_a: Any, in_tenant: Any, admin: Any
) -> None:
    actor = Actor.for_user(admin.user)
    with in_tenant(tenant_a):
        added = kit_question_add(
            actor=actor,
            track="python_developer",
            category="B",
            kind="probe",
            when="always",
            text="How do you backfill a year of data without double counting?",
        )
        assert added.version == 2
        key = next(q["key"] for q in added.questions if q["origin"] == "workspace")
        reworded = kit_question_reword(
            actor=actor,
            track="python_developer",
            key=key,
            text="How do you backfill a year of data without counting anything twice?",
        )
        retired = kit_question_retire(actor=actor, track="python_developer", key=key)
        versions = {
            v.version: v for v in InterviewKitVersion.objects.filter(track="python_developer")
        }
        assert sorted(versions) == [1, 2, 3, 4]
        assert reworded.version == 3 and retired.version == 4

        def question(version: int) -> dict[str, Any] | None:
            return next((q for q in versions[version].questions if q["key"] == key), None)

        assert question(1) is None
        assert question(2)["text"].endswith("double counting?")  # type: ignore[index]
        assert question(3)["text"].endswith("anything twice?")  # type: ignore[index]
        assert question(4)["retired"] is True  # type: ignore[index]
        assert retired.change.startswith("Retired: How do you backfill")
        actions = list(
            AuditEntry.objects.filter(object_type="interview_kit").values_list("action", flat=True)
        )
        assert sorted(actions) == [
            "interview_kit.question_added",
            "interview_kit.question_retired",
            "interview_kit.question_reworded",
        ]


def test_kit_edits_are_checked(tenant_a: Any, in_tenant: Any, admin: Any) -> None:
    actor = Actor.for_user(admin.user)
    with in_tenant(tenant_a):
        with pytest.raises(ValidationError) as short:
            kit_question_add(
                actor=actor,
                track="ai_ml_engineer",
                category="A",
                kind="probe",
                when="always",
                text="Why?",
            )
        assert "text" in short.value.message_dict
        with pytest.raises(ValidationError) as bad_choice:
            kit_question_add(
                actor=actor,
                track="ai_ml_engineer",
                category="F",
                kind="hint",
                when="never",
                text="A question long enough to pass.",
            )
        assert set(bad_choice.value.message_dict) == {"category", "kind", "when"}
        with pytest.raises(ValidationError):
            kit_question_add(
                actor=actor,
                track="ai_ml_engineer",
                category="C",
                kind="probe",
                when="always",
                text=WEEK3_SCENARIO,
            )
        key = standard_questions("ai_ml_engineer")[0]["key"]
        kit_question_retire(actor=actor, track="ai_ml_engineer", key=key)
        with pytest.raises(ConflictError):
            kit_question_retire(actor=actor, track="ai_ml_engineer", key=key)
        with pytest.raises(ConflictError):
            kit_question_reword(
                actor=actor, track="ai_ml_engineer", key=key, text="Reworded but retired."
            )
        assert InterviewKitVersion.objects.filter(track="ai_ml_engineer").count() == 2


# --- scorecards record their kit version ---------------------------------------------------


def _assigned_submission(tenant: Any, in_tenant: Any, interviewer: Any, **brief: Any) -> Any:
    with in_tenant(tenant):
        submission = SubmissionFactory(brief=RoleBriefFactory(**ready_brief_data(**brief)))
        InterviewAssignmentFactory(submission=submission, interviewer=interviewer.user)
    return submission


def test_a_submitted_scorecard_keeps_showing_the_questions_of_its_version(
    tenant_a: Any, in_tenant: Any, as_role: Any, admin: Any
) -> None:
    interviewer = as_role(tenant_a, "interviewer")
    submission = _assigned_submission(tenant_a, in_tenant, interviewer, track="ai_ml_engineer")
    actor = Actor.for_user(interviewer.user)
    with in_tenant(tenant_a):
        card = scorecard_save(
            actor=actor,
            submission=submission,
            data={
                "score_c": 4,
                "evidence_c": "Walked through a canary release and its rollback.",
                "recommendation": "yes",
            },
            submit=True,
        )
        assert card.kit_version is not None and card.kit_version.version == 1
        rollback = next(q for q in card.kit_version.questions if "rollback plan" in q["text"])
        kit_question_reword(
            actor=Actor.for_user(admin.user),
            track="ai_ml_engineer",
            key=rollback["key"],
            text="Describe the last model rollback you ran, step by step.",
        )
    page = interviewer.http.get(f"/submissions/{submission.public_id}/scorecard/")
    assert page.status_code == 200
    body = page.content.decode()
    # Read-only view of a submitted scorecard: the version it used, not the new wording.
    assert "Interview kit version 1" in body
    with in_tenant(tenant_a):
        assert Scorecard.objects.get(pk=card.pk).kit_version_id == card.kit_version_id


def test_a_draft_follows_the_current_kit_until_it_is_submitted(
    tenant_a: Any, in_tenant: Any, as_role: Any, admin: Any
) -> None:
    interviewer = as_role(tenant_a, "interviewer")
    submission = _assigned_submission(tenant_a, in_tenant, interviewer, track="python_developer")
    actor = Actor.for_user(interviewer.user)
    with in_tenant(tenant_a):
        draft = scorecard_save(actor=actor, submission=submission, data={"score_a": 3})
        assert draft.kit_version is not None and draft.kit_version.version == 1
        kit_question_add(
            actor=Actor.for_user(admin.user),
            track="python_developer",
            category="E",
            kind="probe",
            when="always",
            text="Which of your design notes would you show our architects?",
        )
        draft = scorecard_save(actor=actor, submission=submission, data={"score_a": 4})
        assert draft.kit_version is not None and draft.kit_version.version == 2
    body = interviewer.http.get(f"/submissions/{submission.public_id}/scorecard/").content.decode()
    assert "Which of your design notes would you show our architects?" in body
    assert "Interview kit version 2" in body


def test_the_scorecard_form_shows_the_track_kit_and_the_brief_s_additions(
    tenant_a: Any, in_tenant: Any, as_role: Any
) -> None:
    interviewer = as_role(tenant_a, "interviewer")
    plain = _assigned_submission(tenant_a, in_tenant, interviewer, track="python_developer")
    genai = _assigned_submission(
        tenant_a, in_tenant, interviewer, track="ai_ml_engineer", needs=["genai"]
    )
    plain_body = interviewer.http.get(f"/submissions/{plain.public_id}/scorecard/").content
    genai_body = interviewer.http.get(f"/submissions/{genai.public_id}/scorecard/").content
    assert b"data pipeline or ETL job" in plain_body
    assert b"tricking the model into ignoring" not in plain_body
    assert b"tricking the model into ignoring" in genai_body
    assert b"data pipeline or ETL job" not in genai_body
    for body in (plain_body, genai_body):
        assert b"owned end to end" in body and b"week three" in body


# --- pages -----------------------------------------------------------------------------------


def test_an_admin_adds_rewords_and_retires_from_the_kit_page(
    tenant_a: Any, in_tenant: Any, admin: Any
) -> None:
    listing = admin.http.get("/settings/interview-kits/")
    assert listing.status_code == 200
    assert b"Python developer" in listing.content and b"AI/ML engineer" in listing.content
    path = "/settings/interview-kits/python_ai_developer/"
    text = "Which evaluation set would you trust to sign off a new model, and why?"
    added = admin.http.post(
        path,
        {"action": "add", "category": "B", "kind": "probe", "when": "always", "text": text},
    )
    assert added.status_code == 302
    page = admin.http.get(path).content.decode()
    assert text in page and "Version 2" in page
    with in_tenant(tenant_a):
        key = next(
            q["key"]
            for q in kit_current(track="python_ai_developer").questions
            if q["text"] == text
        )
    refused = admin.http.post(path, {"action": "reword", "key": key, "text": "short"})
    assert refused.status_code == 200
    assert "at least 10 characters" in refused.content.decode()
    reworded = admin.http.post(
        path, {"action": "reword", "key": key, "text": text.replace("trust", "use")}
    )
    assert reworded.status_code == 302
    retired = admin.http.post(path, {"action": "retire", "key": key})
    assert retired.status_code == 302
    version = admin.http.get(f"{path}versions/3/")
    assert version.status_code == 200
    assert text.replace("trust", "use") in version.content.decode()
    assert admin.http.get(f"{path}versions/9/").status_code == 404
    assert admin.http.get("/settings/interview-kits/data_scientist/").status_code == 404
    with in_tenant(tenant_a):
        assert kit_current(track="python_ai_developer").version == 4


def test_only_admins_open_the_kit_pages(tenant_a: Any, as_role: Any) -> None:
    for role in ("hiring_manager", "interviewer", "executive"):
        acting = as_role(tenant_a, role)
        assert acting.http.get("/settings/interview-kits/").status_code == 404
        assert (
            acting.http.post(
                "/settings/interview-kits/ai_ml_engineer/",
                {"action": "retire", "key": "std-ml-1"},
            ).status_code
            == 404
        )
    recruiter = as_role(tenant_a, "recruiter")
    assert recruiter.http.get("/settings/interview-kits/ai_ml_engineer/").status_code == 404


def test_another_workspace_keeps_its_own_kits(
    tenant_a: Any, tenant_b: Any, in_tenant: Any, admin: Any
) -> None:
    with in_tenant(tenant_a):
        kit_question_add(
            actor=Actor.for_user(admin.user),
            track="ai_ml_engineer",
            category="C",
            kind="probe",
            when="always",
            text="Only workspace A asks this question about shadow traffic.",
        )
    with in_tenant(tenant_b):
        assert kit_current(track="ai_ml_engineer").version == 1
        assert not any(
            "shadow traffic" in q["text"] for q in kit_current(track="ai_ml_engineer").questions
        )


def test_a_decision_impact_brief_gets_the_explainability_and_bias_questions(
    tenant_a: Any, in_tenant: Any, as_role: Any
) -> None:
    interviewer = as_role(tenant_a, "interviewer")
    plain = _assigned_submission(tenant_a, in_tenant, interviewer, track="python_ai_developer")
    impact = _assigned_submission(
        tenant_a, in_tenant, interviewer, track="python_ai_developer", decision_impact=True
    )
    assert brief_has_decision_impact(impact.brief) is True
    bias = b"How did you check for bias across groups"
    assert bias not in interviewer.http.get(f"/submissions/{plain.public_id}/scorecard/").content
    assert bias in interviewer.http.get(f"/submissions/{impact.public_id}/scorecard/").content
