"""Is a role brief defined well enough to send to agencies? Which track fits its needs?

Pure functions over a brief's fields, used by services (to gate opening), pages (to show what
is missing as the client types) and the API.
"""

from dataclasses import dataclass
from typing import Any

from hiring.measurability import is_measurable as is_measurable
from hiring.measurability import (
    is_placeholder,
    measurability_check,
    names_amount_of_money,
    names_metric_and_level,
)
from hiring.models.briefs import Need, Track
from hiring.safety import decision_impact_gaps, lifecycle_gaps, safety_checklist_gaps


@dataclass(frozen=True)
class ReadinessGap:
    # "business_goal", "data_readiness", "success_criteria", "genai_evaluation",
    # "safety_checklist", "decision_impact", "lifecycle"
    area: str
    field: str
    message: str
    # A blocking gap cannot be overridden: a GenAI or agent brief never reaches agencies
    # without its safety checklist (docs/hiring.md).
    blocking: bool = False


GENAI_EVALUATION_FIELDS = {
    "eval_groundedness": "How groundedness / citation accuracy will be measured",
    "eval_hallucination_rate": "The acceptable hallucination rate and how it is measured",
    "eval_retrieval_quality": "Retrieval quality measures (precision/recall, hit rate)",
    "eval_cost_per_request": "Cost per request and token controls",
    "eval_latency_budget": "The latency budget for responses",
}


def _blank(value: Any) -> bool:
    return not str(value or "").strip()


def brief_readiness_gaps(fields: dict[str, Any]) -> list[ReadinessGap]:
    """Everything that keeps the brief from being ready. An empty list means ready.

    `fields` holds the brief's field values (a model's __dict__ or form data), so the same
    check runs on a saved brief and on a draft being edited.
    """
    gaps: list[ReadinessGap] = []
    if _blank(fields.get("business_goal")):
        gaps.append(
            ReadinessGap(
                "business_goal",
                "business_goal",
                "Say which workflow or decision this role should improve.",
            )
        )
    target = str(fields.get("kpi_target") or "")
    if _blank(target):
        gaps.append(
            ReadinessGap(
                "business_goal",
                "kpi_target",
                "Give a measurable target, e.g. 'reduce ticket handling time "
                "by 20% within two quarters'.",
            )
        )
    else:
        check = measurability_check(target)
        if not check.measurable:
            gaps.append(ReadinessGap("business_goal", "kpi_target", check.explanation))

    if not fields.get("data_sources_exist"):
        gaps.append(
            ReadinessGap(
                "data_readiness",
                "data_sources_exist",
                "Confirm that the data sources the work needs exist.",
            )
        )
    if not fields.get("data_use_approved"):
        gaps.append(
            ReadinessGap(
                "data_readiness",
                "data_use_approved",
                "Confirm that using this data for the project is approved.",
            )
        )
    if _blank(fields.get("privacy_rules")):
        gaps.append(
            ReadinessGap(
                "data_readiness", "privacy_rules", "State the privacy rules that apply to the data."
            )
        )
    elif is_placeholder(str(fields.get("privacy_rules"))):
        gaps.append(
            ReadinessGap(
                "data_readiness",
                "privacy_rules",
                "The privacy rules say nothing yet: name what may not be stored, sent to third "
                "parties or shown in answers.",
            )
        )

    for field, label in (
        ("success_impact", "the business impact that counts as success"),
        ("success_ai_quality", "the AI quality bar (which metric, what level)"),
        ("success_adoption", "the adoption you expect (who uses it, how much)"),
        ("success_cost_limits", "the cost limits (running and change costs)"),
        ("post_launch_owner", "who owns the system after launch (monitoring, cost, fixes)"),
    ):
        value = str(fields.get(field) or "")
        if _blank(value):
            gaps.append(ReadinessGap("success_criteria", field, f"Describe {label}."))
        elif is_placeholder(value, min_words=1 if field == "post_launch_owner" else 3):
            gaps.append(
                ReadinessGap(
                    "success_criteria",
                    field,
                    f"'{value.strip()}' says nothing yet: describe {label}.",
                )
            )
        elif field == "success_ai_quality" and not names_metric_and_level(value):
            gaps.append(
                ReadinessGap(
                    "success_criteria",
                    field,
                    "Name the AI-quality metric and the level it must reach, e.g. "
                    "'precision above 0.9 on last quarter's tickets'.",
                )
            )
        elif field == "success_cost_limits" and not names_amount_of_money(value):
            gaps.append(
                ReadinessGap(
                    "success_criteria",
                    field,
                    "Name an amount for the cost limit, e.g. 'under $3k a month to run'.",
                )
            )

    genai = is_genai_fields(fields)
    if genai:
        for field, label in GENAI_EVALUATION_FIELDS.items():
            if _blank(fields.get(field)):
                gaps.append(
                    ReadinessGap("genai_evaluation", field, f"GenAI evaluation plan: {label}.")
                )
        gaps.extend(
            ReadinessGap("safety_checklist", gap.field, gap.message, blocking=True)
            for gap in safety_checklist_gaps(fields)
        )
    gaps.extend(
        ReadinessGap("decision_impact", gap.field, gap.message)
        for gap in decision_impact_gaps(fields)
    )
    if genai or fields.get("track") in (Track.PYTHON_AI_DEVELOPER, Track.AI_ML_ENGINEER):
        gaps.extend(
            ReadinessGap("lifecycle", gap.field, gap.message)
            for gap in lifecycle_gaps(fields, genai=genai)
        )
    return gaps


def blocking_gaps(gaps: list[ReadinessGap]) -> list[ReadinessGap]:
    return [gap for gap in gaps if gap.blocking]


def is_genai_fields(fields: dict[str, Any]) -> bool:
    """GenAI or agent work: the GenAI need or any of the LLM, RAG and agent flags."""
    return bool(
        Need.GENAI in (fields.get("needs") or [])
        or fields.get("uses_llm")
        or fields.get("uses_rag")
        or fields.get("uses_agents")
    )


def recommend_track(needs: list[str]) -> str | None:
    """The track that fits the kinds of work the role mainly does (domain: three tracks).

    Owning models in production (deployment, monitoring, drift, cost) needs an AI/ML engineer;
    building ML or GenAI features needs a Python AI developer; APIs, pipelines and
    integrations alone need a Python developer.
    """
    chosen = set(needs or [])
    if Need.MLOPS in chosen:
        return Track.AI_ML_ENGINEER
    if chosen & {Need.ML_FEATURES, Need.GENAI}:
        return Track.PYTHON_AI_DEVELOPER
    if chosen & {Need.APIS, Need.PIPELINES, Need.INTEGRATIONS}:
        return Track.PYTHON_DEVELOPER
    return None


def _a(label: str) -> str:
    """The label with its indefinite article ("an AI/ML engineer", "a Python developer")."""
    return f"{'an' if label[:1].upper() in 'AEIOU' else 'a'} {label}"


def track_warning(*, track: str, needs: list[str]) -> str | None:
    """A plain-language warning when the chosen track and the stated needs disagree."""
    recommended = recommend_track(needs)
    if recommended is None or recommended == track:
        return None
    labels = dict(Track.choices)
    rank = {Track.PYTHON_DEVELOPER: 0, Track.PYTHON_AI_DEVELOPER: 1, Track.AI_ML_ENGINEER: 2}
    if rank[Track(track)] < rank[Track(recommended)]:
        return (
            f"The work you describe needs {_a(labels[recommended])}: {_a(labels[track])} is "
            "unlikely to own model behaviour in production, which is where such projects miss "
            "their timelines."
        )
    return (
        f"The work you describe fits {_a(labels[recommended])}; asking for {_a(labels[track])} "
        "narrows the pool and raises the rate without a need for it."
    )
