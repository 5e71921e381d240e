"""Readiness and track recommendation: pure rules, no database."""

import pytest

from hiring.readiness import brief_readiness_gaps, is_measurable, recommend_track, track_warning
from tests.factories import GENAI_PLAN, ready_brief_data


@pytest.mark.parametrize(
    "text",
    [
        "Reduce ticket handling time by 20%",
        "p95 latency under 800 ms",
        "Save $40k a month on manual review",
        "Cut churn from 8 to 5 points",
        "Handle 3x more claims per adjuster",
        "Increase conversion by 1.5 percent",
        "Answer 90% of tier-1 questions without escalation within 2 minutes",
    ],
)
def test_measurable_targets_are_recognised(text):
    assert is_measurable(text)


@pytest.mark.parametrize(
    "text",
    [
        "Make it smarter",
        "Improve customer experience",
        "Use AI for support",
        "",
        "Version 2",
        "Build a best-in-class recommender",
    ],
)
def test_vague_wishes_are_not_measurable(text):
    assert not is_measurable(text)


def test_complete_brief_has_no_gaps():
    assert brief_readiness_gaps(ready_brief_data()) == []


def test_each_missing_area_is_reported_by_field():
    data = ready_brief_data(
        kpi_target="make support smarter",
        data_use_approved=False,
        post_launch_owner="",
        privacy_rules="  ",
    )
    gaps = {(gap.area, gap.field) for gap in brief_readiness_gaps(data)}
    assert gaps == {
        ("business_goal", "kpi_target"),
        ("data_readiness", "data_use_approved"),
        ("data_readiness", "privacy_rules"),
        ("success_criteria", "post_launch_owner"),
    }


def test_genai_brief_requires_the_evaluation_plan():
    data = ready_brief_data(needs=["genai"], uses_rag=True)
    fields = {gap.field for gap in brief_readiness_gaps(data)}
    assert fields == set(GENAI_PLAN)
    assert brief_readiness_gaps({**data, **GENAI_PLAN}) == []
    # The LLM flag alone makes it a GenAI brief.
    assert brief_readiness_gaps(ready_brief_data(uses_llm=True))


@pytest.mark.parametrize(
    ("needs", "track"),
    [
        (["apis", "pipelines"], "python_developer"),
        (["integrations"], "python_developer"),
        (["apis", "ml_features"], "python_ai_developer"),
        (["genai"], "python_ai_developer"),
        (["ml_features", "mlops"], "ai_ml_engineer"),
        (["genai", "mlops"], "ai_ml_engineer"),
        ([], None),
    ],
)
def test_track_recommendation(needs, track):
    assert recommend_track(needs) == track


def test_warning_when_track_is_too_junior_for_the_work():
    warning = track_warning(track="python_developer", needs=["mlops"])
    assert warning is not None
    assert "AI/ML engineer" in warning
    assert "production" in warning


def test_warning_when_track_is_more_than_the_work_needs():
    warning = track_warning(track="ai_ml_engineer", needs=["apis"])
    assert warning is not None
    assert "fits a Python developer" in warning
    assert "asking for an AI/ML engineer" in warning


def test_no_warning_when_track_fits():
    assert track_warning(track="python_ai_developer", needs=["ml_features"]) is None
    assert track_warning(track="python_developer", needs=[]) is None
