"""Is a role brief defined well enough to send to agencies? Which track fits its needs?

Pure functions over a brief's fields, used by services (to gate opening), pages (to show what
is missing as the client types) and the API.
"""

import re
from dataclasses import dataclass
from typing import Any

from hiring.models.briefs import Need, Track

# A number with a unit, a percentage or a currency; or a number beside a direction word.
_NUMBER = r"\d+(?:[.,]\d+)?"
_UNIT = (
    r"(?:%|percent|pp|x\b|\u00d7|ms\b|milliseconds?|s\b|secs?\b|seconds?|mins?\b|minutes?|h\b|hrs?\b"
    r"|hours?|days?|weeks?|months?|years?|k\b|m\b|bn\b|usd|eur|gbp|dollars?|euros?|points?"
    r"|tickets?|requests?|users?|customers?|orders?|calls?|errors?|documents?|per\b|/)"
)
_MEASURABLE_WITH_UNIT = re.compile(rf"{_NUMBER}\s*{_UNIT}|[$€£]\s*{_NUMBER}", re.IGNORECASE)
_DIRECTION = re.compile(
    r"\b(?:reduce|cut|lower|decrease|increase|raise|grow|improve|boost|double|halve|below"
    r"|under|above|over|at least|at most|within|from|to|less than|more than|fewer than)\b",
    re.IGNORECASE,
)
_HAS_NUMBER = re.compile(_NUMBER)


def is_measurable(text: str) -> bool:
    """True when the text states a target one can measure: "cut handling time by 20%",
    "p95 latency under 800 ms", "save $40k a month". "Make support smarter" is not."""
    text = text or ""
    if _MEASURABLE_WITH_UNIT.search(text):
        return True
    return bool(_HAS_NUMBER.search(text) and _DIRECTION.search(text))


@dataclass(frozen=True)
class ReadinessGap:
    area: str  # "business_goal", "data_readiness", "success_criteria", "genai_evaluation"
    field: str
    message: str


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
    elif not is_measurable(target):
        gaps.append(
            ReadinessGap(
                "business_goal",
                "kpi_target",
                "The target is not measurable yet: add a number with a unit, "
                "a percentage or an amount.",
            )
        )

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

    for field, label in (
        ("success_impact", "the business impact that counts as success"),
        ("success_ai_quality", "the AI quality bar (which metric, what level)"),
        ("success_adoption", "the adoption you expect (who uses it, how much)"),
        ("success_cost_limits", "the cost limits (running and change costs)"),
        ("post_launch_owner", "who owns the system after launch (monitoring, cost, fixes)"),
    ):
        if _blank(fields.get(field)):
            gaps.append(ReadinessGap("success_criteria", field, f"Describe {label}."))

    if is_genai_fields(fields):
        for field, label in GENAI_EVALUATION_FIELDS.items():
            if _blank(fields.get(field)):
                gaps.append(
                    ReadinessGap("genai_evaluation", field, f"GenAI evaluation plan: {label}.")
                )
    return gaps


def is_genai_fields(fields: dict[str, Any]) -> bool:
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
