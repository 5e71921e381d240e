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
    # The tool questions are asked only when the model can call tools (agents).
    assert fields == set(GENAI_PLAN) - {"safety_tools_allowed", "safety_tools_forbidden"}
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


# --- the safety checklist, decision impact, lifecycle and substance (docs/hiring.md) ----------


def _genai(**overrides):
    return ready_brief_data(needs=["genai"], uses_llm=True, **{**GENAI_PLAN, **overrides})


def test_checklist_gaps_are_blocking_and_tools_are_asked_of_agents_only():
    assert brief_readiness_gaps(_genai()) == []
    gaps = brief_readiness_gaps(_genai(safety_prompt_injection="", cost_budget_cap="tbd"))
    assert {(g.area, g.field, g.blocking) for g in gaps} == {
        ("safety_checklist", "safety_prompt_injection", True),
        ("safety_checklist", "cost_budget_cap", True),
    }
    no_tools = _genai(safety_tools_allowed="", safety_tools_forbidden="")
    assert brief_readiness_gaps(no_tools) == []
    agent = {**no_tools, "uses_agents": True}
    assert {g.field for g in brief_readiness_gaps(agent)} == {
        "safety_tools_allowed",
        "safety_tools_forbidden",
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"cost_budget_cap": "A sensible budget with alerts."}, "cost_budget_cap"),
        ({"safety_log_retention_days": None}, "safety_log_retention_days"),
        ({"safety_log_retention_days": "forever"}, "safety_log_retention_days"),
        ({"safety_fallback": "n/a"}, "safety_fallback"),
    ],
)
def test_checklist_answers_need_substance(overrides, field):
    assert [g.field for g in brief_readiness_gaps(_genai(**overrides))] == [field]


def test_zero_days_of_logs_is_an_answer():
    assert brief_readiness_gaps(_genai(safety_log_retention_days=0)) == []


def test_a_non_genai_brief_is_not_asked_the_checklist():
    gaps = brief_readiness_gaps(ready_brief_data())
    assert not [g for g in gaps if g.area == "safety_checklist"]


def test_decision_impact_asks_for_explainability_and_bias_plans():
    data = ready_brief_data(decision_impact=True)
    gaps = {(g.area, g.field, g.blocking) for g in brief_readiness_gaps(data)}
    assert gaps == {
        ("decision_impact", "explainability_plan", False),
        ("decision_impact", "bias_plan", False),
    }
    done = ready_brief_data(
        decision_impact=True,
        explainability_plan="Each decline lists its three strongest reasons for the applicant.",
        bias_plan="Approval rates compared by age band and region every month.",
    )
    assert brief_readiness_gaps(done) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("privacy_rules", "tbd"),
        ("privacy_rules", "n/a"),
        ("success_impact", "TBD"),
        ("success_adoption", "later"),
        ("success_ai_quality", "tbd"),
        ("success_ai_quality", "It should be really good and trustworthy."),
        ("success_cost_limits", "tbd"),
        ("success_cost_limits", "As cheap as reasonably possible."),
        ("post_launch_owner", "tbd"),
    ],
)
def test_success_criteria_and_privacy_rules_are_checked_for_substance(field, value):
    gaps = brief_readiness_gaps(ready_brief_data(**{field: value}))
    assert [g.field for g in gaps] == [field]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("success_ai_quality", "Precision above 0.9 on last quarter's tickets"),
        ("success_ai_quality", "p95 latency under 800 ms and F1 of 0.8"),
        ("success_cost_limits", "EUR 0.02 per request, at most 2,000 EUR a month"),
        ("success_cost_limits", "Budget of 5000 per month for inference"),
    ],
)
def test_criteria_with_a_metric_and_a_level_or_an_amount_pass(field, value):
    assert brief_readiness_gaps(ready_brief_data(**{field: value})) == []


def test_ai_tracks_need_a_lifecycle_plan_and_python_developers_do_not():
    lifecycle = {
        "lifecycle_monitoring_owner": "",
        "lifecycle_retraining_cadence": "tbd",
        "lifecycle_cost_review_cadence": "",
    }
    gaps = {(g.area, g.field) for g in brief_readiness_gaps(ready_brief_data(**lifecycle))}
    assert gaps == {
        ("lifecycle", "lifecycle_monitoring_owner"),
        ("lifecycle", "lifecycle_retraining_cadence"),
        ("lifecycle", "lifecycle_cost_review_cadence"),
    }
    developer = ready_brief_data(track="python_developer", needs=["apis"], **lifecycle)
    assert brief_readiness_gaps(developer) == []


def test_genai_briefs_also_plan_safety_testing_after_launch():
    gaps = brief_readiness_gaps(_genai(lifecycle_safety_testing=""))
    assert [(g.area, g.field) for g in gaps] == [("lifecycle", "lifecycle_safety_testing")]


def test_the_target_gap_explains_what_is_missing():
    gaps = brief_readiness_gaps(ready_brief_data(kpi_target="Migrate 4 services to Kubernetes"))
    (gap,) = gaps
    assert gap.field == "kpi_target"
    assert "give an amount" in gap.message
    assert "things to build" in gap.message


def test_outcome_statement_is_composed_from_the_brief():
    from hiring.outcome import outcome_statement

    text = outcome_statement(ready_brief_data(), genai=False)
    assert text == (
        "Deliver an AI feature that meets this target: reduce stock-outs by 25% within two "
        "quarters (quality bar: MAPE below 15% on the weekly forecast), runs within its cost "
        "limits (under $2k a month to run), and is owned after launch by Data platform team "
        "(Maria Lopez)."
    )
    assert outcome_statement(ready_brief_data(kpi_target=""), genai=False) == ""
    genai = outcome_statement(ready_brief_data(post_launch_owner=""), genai=True)
    assert genai.startswith("Deliver a GenAI feature that meets this target")
    assert genai.endswith("and runs within its cost limits (under $2k a month to run).")


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Must know LangChain, PyTorch and vector databases.", True),
        ("5+ years of Python, Django and AWS", True),
        ("Strong experience with TensorFlow / Keras; MLflow nice to have", True),
        ("Has shipped a RAG assistant with LangChain that cut handling time by 20%", False),
        ("Owned a churn model in production, including retraining and rollback", False),
        ("", False),
    ],
)
def test_framework_only_requirements_are_flagged_with_a_suggestion(text, flagged):
    from hiring.outcome import FRAMEWORK_SUGGESTION, framework_warnings

    warnings = framework_warnings({"must_haves": text})
    assert warnings == ({"must_haves": FRAMEWORK_SUGGESTION} if flagged else {})
