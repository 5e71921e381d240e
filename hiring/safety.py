"""The AI safety checklist, the decision-impact plan and the lifecycle plan of a brief.

Named once here: the readiness rules (hiring.readiness), the form, the brief's page (where
agencies read the checklist) and the partner API all read these lists. Pure functions over a
brief's field values, like the rest of readiness (docs/hiring.md says why each is asked).
"""

from dataclasses import dataclass
from typing import Any, Final

from hiring.measurability import is_placeholder, names_amount_of_money


@dataclass(frozen=True)
class ChecklistItem:
    field: str
    label: str  # the question, as the form and the brief page ask it
    short: str  # a few words, for one-line summaries of what is missing
    agents_only: bool = False  # asked only when the model can call tools


# The domain's checklist (domain.md, "The AI safety checklist"), in the order a client
# should think it through. Every text item must say something ("tbd" fails).
SAFETY_CHECKLIST: Final = (
    ChecklistItem("safety_allowed_data", "Which data the system may use", "data that may be used"),
    ChecklistItem(
        "safety_blocked_data",
        "Which data is blocked (never sent to the model or shown in answers)",
        "blocked data",
    ),
    ChecklistItem(
        "safety_prompt_injection",
        "How prompt injection is kept from overriding the system's rules",
        "prompt-injection defence",
    ),
    ChecklistItem("safety_logged", "What is logged", "what is logged"),
    ChecklistItem("safety_masked", "What is masked in logs and answers", "what is masked"),
    ChecklistItem(
        "safety_tools_allowed",
        "What the model's tools may do (e-mail, database queries, ticket updates)",
        "tools allowed",
        agents_only=True,
    ),
    ChecklistItem(
        "safety_tools_forbidden",
        "What the model's tools must never do",
        "tools never allowed",
        agents_only=True,
    ),
    ChecklistItem("cost_token_limits", "Token limits per request", "token limits"),
    ChecklistItem("cost_rate_limits", "Rate limits (per user, per client)", "rate limits"),
    ChecklistItem("cost_budget_cap", "The budget cap (an amount)", "budget cap"),
    ChecklistItem("cost_caching", "What is cached to save cost", "caching"),
    ChecklistItem("cost_usage_alerts", "Usage alerts: when and to whom", "usage alerts"),
    ChecklistItem(
        "safety_fallback",
        "The safe fallback when the AI is unsure or a request looks risky",
        "safe fallback",
    ),
    ChecklistItem(
        "safety_failure_testing",
        "How failure cases are tested before launch (bad inputs, edge cases, adversarial prompts)",
        "failure testing",
    ),
)
SAFETY_TEXT_FIELDS: Final = tuple(item.field for item in SAFETY_CHECKLIST)
RETENTION_FIELD: Final = "safety_log_retention_days"
SAFETY_FIELDS: Final = (*SAFETY_TEXT_FIELDS, RETENTION_FIELD)
DECISION_FIELDS: Final = ("decision_impact", "explainability_plan", "bias_plan")
LIFECYCLE_FIELDS: Final = (
    "lifecycle_monitoring_owner",
    "lifecycle_retraining_cadence",
    "lifecycle_cost_review_cadence",
    "lifecycle_safety_testing",
)
SHORT_NAMES: Final = {
    **{item.field: item.short for item in SAFETY_CHECKLIST},
    RETENTION_FIELD: "how long logs are kept",
    "explainability_plan": "explainability plan",
    "bias_plan": "bias checks",
    "lifecycle_monitoring_owner": "who monitors",
    "lifecycle_retraining_cadence": "retraining cadence",
    "lifecycle_cost_review_cadence": "cost-tuning cadence",
    "lifecycle_safety_testing": "safety testing after launch",
}


@dataclass(frozen=True)
class Gap:
    field: str
    message: str


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("", "false", "0", "off", "no")
    return bool(value)


def uses_agents(fields: dict[str, Any]) -> bool:
    return _flag(fields.get("uses_agents"))


def checklist_items_for(fields: dict[str, Any]) -> list[ChecklistItem]:
    """The checklist items that apply: the tool items only when the model can call tools."""
    agents = uses_agents(fields)
    return [item for item in SAFETY_CHECKLIST if agents or not item.agents_only]


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:]


def retention_days(value: Any) -> int | None:
    """The log retention as a whole number of days, or None when not given or not a number."""
    if value in (None, ""):
        return None
    try:
        days = int(str(value).strip())
    except ValueError:
        return None
    return days if 0 <= days <= 36500 else None


def safety_checklist_gaps(fields: dict[str, Any]) -> list[Gap]:
    """What the checklist still lacks. Applies to GenAI and agent briefs (the caller decides)."""
    gaps = []
    for item in checklist_items_for(fields):
        value = str(fields.get(item.field) or "")
        if not value.strip():
            gaps.append(Gap(item.field, f"Answer: {_lower_first(item.label)}."))
        elif is_placeholder(value, min_words=2):
            gaps.append(
                Gap(item.field, f"Say more than '{value.strip()}': {_lower_first(item.label)}.")
            )
        elif item.field == "cost_budget_cap" and not names_amount_of_money(value):
            gaps.append(
                Gap(item.field, "The budget cap names an amount, e.g. '$2,000 a month, hard stop'.")
            )
    if retention_days(fields.get(RETENTION_FIELD)) is None:
        gaps.append(
            Gap(RETENTION_FIELD, "Say how many days logs are kept (0 when nothing is kept).")
        )
    return gaps


def decision_impact_gaps(fields: dict[str, Any]) -> list[Gap]:
    """When the AI influences approvals, pricing or risk decisions, black-box output is a
    regulatory and reputational exposure: the brief says how decisions are explained and how
    bias is checked."""
    if not _flag(fields.get("decision_impact")):
        return []
    gaps = []
    for field, message in (
        (
            "explainability_plan",
            "Explain how a decision is explained to the person it affects and to auditors.",
        ),
        ("bias_plan", "Say how bias is checked: which groups, which measure, how often."),
    ):
        if is_placeholder(str(fields.get(field) or "")):
            gaps.append(Gap(field, message))
    return gaps


def lifecycle_gaps(fields: dict[str, Any], *, genai: bool) -> list[Gap]:
    """Who keeps the system healthy after launch, and how often it is retrained and its cost
    tuned; for GenAI and decision-impact briefs also how safety keeps being tested."""
    gaps = []
    for field, message in (
        ("lifecycle_monitoring_owner", "Name who monitors the system after launch."),
        (
            "lifecycle_retraining_cadence",
            "Say how often the model is retrained or re-evaluated (e.g. 'monthly, or when "
            "drift alerts fire').",
        ),
        (
            "lifecycle_cost_review_cadence",
            "Say how often running costs are reviewed and tuned.",
        ),
    ):
        if is_placeholder(str(fields.get(field) or ""), min_words=1):
            gaps.append(Gap(field, message))
    if (genai or _flag(fields.get("decision_impact"))) and is_placeholder(
        str(fields.get("lifecycle_safety_testing") or "")
    ):
        gaps.append(
            Gap(
                "lifecycle_safety_testing",
                "Say how safety keeps being tested after launch (red-team runs, new attack "
                "prompts, who reviews the results).",
            )
        )
    return gaps
