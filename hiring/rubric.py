"""The AI Delivery Scorecard's rubric: its five categories and each track's default policy.

A leaf module of plain data (no Django, no database): briefs carry their weights and floors,
so hiring needs the rubric to fill them in, and the scoring engine reads the same definitions.
docs/scoring.md explains the numbers per track.
"""

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

CATEGORY_CODES: Final[tuple[str, ...]] = ("A", "B", "C", "D", "E")
CATEGORY_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "A": "Applied AI delivery",
        "B": "Data competence",
        "C": "Production readiness",
        "D": "Security and risk thinking",
        "E": "Communication",
    }
)
# How each category reads in the middle of a sentence: lower case, but "AI" stays "AI".
CATEGORY_PHRASES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "A": "applied AI delivery",
        "B": "data competence",
        "C": "production readiness",
        "D": "security and risk thinking",
        "E": "communication",
    }
)
TRACKS: Final[tuple[str, ...]] = ("python_developer", "python_ai_developer", "ai_ml_engineer")

SCORE_MIN: Final = 0
SCORE_MAX: Final = 5

# Default policies per track. Weights are relative (the engine normalises them); each row
# sums to 1 so the table reads as shares.
DEFAULT_TRACK_WEIGHTS: Final[Mapping[str, Mapping[str, float]]] = MappingProxyType(
    {
        "python_developer": MappingProxyType(
            {"A": 0.10, "B": 0.20, "C": 0.30, "D": 0.15, "E": 0.25}
        ),
        "python_ai_developer": MappingProxyType(
            {"A": 0.30, "B": 0.30, "C": 0.15, "D": 0.10, "E": 0.15}
        ),
        "ai_ml_engineer": MappingProxyType({"A": 0.20, "B": 0.15, "C": 0.35, "D": 0.15, "E": 0.15}),
    }
)
# The category a track exists for: scoring below 2 there means no real evidence of the skill
# the role is hired for, whatever the rest of the profile looks like.
DEFAULT_TRACK_FLOORS: Final[Mapping[str, Mapping[str, int]]] = MappingProxyType(
    {
        "python_developer": MappingProxyType({"C": 2}),
        "python_ai_developer": MappingProxyType({"A": 2}),
        "ai_ml_engineer": MappingProxyType({"C": 2}),
    }
)
# GenAI work (LLMs, RAG, agents) brings prompt injection, data leakage and runaway cost.
GENAI_SECURITY_WEIGHT_BONUS: Final = 0.10
GENAI_SECURITY_FLOOR: Final = 3


def default_weights_and_floors(
    track: str, is_genai: bool
) -> tuple[dict[str, float], dict[str, int | None]]:
    """The starting weights and floors of a new brief of `track`; a brief may then adjust them.

    GenAI briefs add weight to security and risk thinking and demand at least 3 there,
    because LLM systems fail in ways (prompt injection, leaking data through prompts or logs,
    runaway agent cost) that a strong builder without security instincts ships anyway.
    """
    if track not in DEFAULT_TRACK_WEIGHTS:
        raise ValueError(f"unknown track {track!r}; expected one of {', '.join(TRACKS)}")
    weights = dict(DEFAULT_TRACK_WEIGHTS[track])
    floors: dict[str, int | None] = dict.fromkeys(CATEGORY_CODES)
    floors.update(DEFAULT_TRACK_FLOORS[track])
    if is_genai:
        weights["D"] += GENAI_SECURITY_WEIGHT_BONUS
        current = floors["D"]
        floors["D"] = (
            GENAI_SECURITY_FLOOR if current is None else max(current, GENAI_SECURITY_FLOOR)
        )
    return weights, floors
