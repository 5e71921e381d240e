"""Proof that matches the role: which parts each track requires, how a part is checked, and
how strong a submission's proof is (what is evidenced with numbers, what is only claimed).

Pure functions over proof values; `hiring.services.submissions` validates with them and the
client's submission page shows `proof_strength`. docs/hiring.md, "Proof that matches".
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from hiring.fields import MONITORING_SIGNALS
from hiring.measurability import number_with_unit
from hiring.models.briefs import Track

PROOF_MIN_CHARS: Final = 20

PART_LABELS: Final = {
    "proof_shipped_solution": "Shipped AI solution",
    "proof_domain": "Its domain",
    "proof_baseline": "Baseline before",
    "proof_improvement": "Result after",
    "proof_monitoring": "Monitoring in production",
    "proof_alert_thresholds": "Alert thresholds",
    "proof_quality_dip": "A quality dip and how it was handled",
    "proof_rollback": "Rollback and versioning",
    "proof_input_validation": "Input validation and fallbacks",
    "proof_iteration": "Iteration after launch",
}

# What each track must show before a submission is accepted. A Python developer proves a
# correct, defended production system; a Python AI developer the measured ML delivery story;
# an AI/ML engineer also the operations that keep a model healthy (alerts, rollback).
_AI_STORY: Final = (
    "proof_shipped_solution",
    "proof_baseline",
    "proof_improvement",
    "proof_monitoring",
    "proof_quality_dip",
)
PROOF_REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    Track.PYTHON_DEVELOPER: ("proof_shipped_solution", "proof_domain", "proof_input_validation"),
    Track.PYTHON_AI_DEVELOPER: _AI_STORY,
    Track.AI_ML_ENGINEER: (*_AI_STORY, "proof_alert_thresholds", "proof_rollback"),
}
# Parts whose text must carry a number with a unit when the structured numbers are not given.
_NUMBERED_PARTS: Final = ("proof_baseline", "proof_improvement")


def required_parts(track: str) -> tuple[str, ...]:
    return PROOF_REQUIRED.get(track, ("proof_shipped_solution",))


def decimal_or_none(raw: Any) -> Decimal | None:
    """A number typed in a form or a CSV cell ("18", "0.85", "1,200"); ValueError if not one."""
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(raw) from None
    if not value.is_finite() or abs(value) >= Decimal("1e12"):
        raise ValueError(raw)
    return value.quantize(Decimal("0.0001"))


def signals_list(raw: Any) -> list[str]:
    """Monitoring signals from a list or a comma-separated text; ValueError on an unknown one."""
    if raw in (None, ""):
        return []
    items = raw.replace(";", ",").split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple):
        raise ValueError(raw)
    signals = [str(item).strip().lower() for item in items if str(item).strip()]
    if any(signal not in MONITORING_SIGNALS for signal in signals):
        raise ValueError(raw)
    return [signal for signal in MONITORING_SIGNALS if signal in signals]


def proof_part_errors(track: str, proof: dict[str, Any]) -> dict[str, str]:
    """Field -> refusal for cleaned proof values (text stripped, numbers parsed)."""
    errors: dict[str, str] = {}
    required = required_parts(track)
    for field in required:
        text = str(proof.get(field) or "")
        minimum = 3 if field == "proof_domain" else PROOF_MIN_CHARS
        if len(text) < minimum:
            errors[field] = (
                "Name the domain the solution served (e.g. 'insurance claims')."
                if field == "proof_domain"
                else "Describe this in at least a sentence: proof of production delivery is "
                "required for this role."
            )
    measured = _measured(proof)
    has_values = proof.get("proof_baseline_value") is not None or (
        proof.get("proof_result_value") is not None
    )
    if has_values and not measured:
        errors["proof_result_value"] = (
            "Give the metric, its unit, the baseline and the result together."
        )
    if not measured:
        for field in _NUMBERED_PARTS:
            if (
                field in required
                and field not in errors
                and not number_with_unit(str(proof.get(field) or ""))
            ):
                errors[field] = (
                    "Give the number with its unit (e.g. 'MAPE 31%', '6 minutes per "
                    "ticket'), or fill the metric, baseline and result fields."
                )
    thresholds = str(proof.get("proof_alert_thresholds") or "")
    if (
        "proof_alert_thresholds" in required
        and "proof_alert_thresholds" not in errors
        and not number_with_unit(thresholds)
    ):
        errors["proof_alert_thresholds"] = (
            "State the thresholds as numbers (e.g. 'page the on-call when precision drops "
            "below 0.85 or p95 latency exceeds 800 ms')."
        )
    return errors


def _measured(proof: dict[str, Any]) -> bool:
    return bool(
        proof.get("proof_baseline_value") is not None
        and proof.get("proof_result_value") is not None
        and str(proof.get("proof_metric") or "").strip()
        and str(proof.get("proof_metric_unit") or "").strip()
    )


@dataclass(frozen=True)
class ProofLine:
    field: str
    label: str
    state: str  # "evidenced" (numbers), "claimed" (words only), "missing"
    detail: str
    required: bool


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def proof_strength(track: str, proof: dict[str, Any]) -> dict[str, Any]:
    """What the proof evidences with numbers, what it only claims, what it does not say.

    `proof` holds the submission's proof values (a submission's __dict__ works)."""
    required = set(required_parts(track))
    lines: list[ProofLine] = []

    def text(field: str) -> str:
        return " ".join(str(proof.get(field) or "").split())

    def add(field: str, state: str, detail: str) -> None:
        lines.append(ProofLine(field, PART_LABELS[field], state, detail, field in required))

    add(
        "proof_shipped_solution",
        "claimed" if text("proof_shipped_solution") else "missing",
        "In production, as described." if text("proof_shipped_solution") else "",
    )
    add("proof_domain", "claimed" if text("proof_domain") else "missing", text("proof_domain"))
    if _measured(proof):
        unit = text("proof_metric_unit")
        baseline = Decimal(str(proof["proof_baseline_value"]))
        result = Decimal(str(proof["proof_result_value"]))
        detail = (
            f"{text('proof_metric')}: {_number(baseline)} {unit} \u2192 {_number(result)} {unit}"
        )
        add("proof_baseline", "evidenced", detail)
        add("proof_improvement", "evidenced", detail)
    else:
        for field in _NUMBERED_PARTS:
            value = text(field)
            amount = number_with_unit(value)
            if amount:
                add(field, "evidenced", f"States {amount} (in words, not as a measured pair).")
            else:
                add(field, "claimed" if value else "missing", "No number given." if value else "")
    signals = [str(signal) for signal in proof.get("proof_monitoring_signals") or []]
    monitoring = text("proof_monitoring")
    if monitoring or signals:
        watched = ", ".join(signals) if signals else "signals not named"
        add("proof_monitoring", "claimed", f"Watches: {watched}.")
    else:
        add("proof_monitoring", "missing", "")
    thresholds = text("proof_alert_thresholds")
    threshold_number = number_with_unit(thresholds)
    add(
        "proof_alert_thresholds",
        "evidenced" if threshold_number else ("claimed" if thresholds else "missing"),
        f"Alerts at {threshold_number}." if threshold_number else "",
    )
    for field in ("proof_quality_dip", "proof_rollback", "proof_input_validation"):
        add(field, "claimed" if text(field) else "missing", "")
    iteration = text("proof_iteration")
    iteration_number = number_with_unit(iteration)
    add(
        "proof_iteration",
        "evidenced" if iteration_number else ("claimed" if iteration else "missing"),
        f"States {iteration_number}." if iteration_number else "",
    )
    evidenced = [line for line in lines if line.state == "evidenced"]
    claimed = [line for line in lines if line.state == "claimed"]
    missing = [line for line in lines if line.state == "missing"]
    if len(evidenced) >= 3 and not [line for line in missing if line.required]:
        verdict, label = "strong", "Strong: the result is backed by numbers"
    elif evidenced:
        verdict, label = "partial", "Partly evidenced: some parts carry numbers"
    else:
        verdict, label = "claimed", "Claims only: no part of the proof carries a number"
    return {
        "verdict": verdict,
        "label": label,
        "lines": lines,
        "evidenced": len(evidenced),
        "claimed": len(claimed),
        "missing": len(missing),
        "monitoring_signals": [s for s in MONITORING_SIGNALS if s in signals],
    }
