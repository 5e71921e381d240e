"""Decision quality of the shortlist engine on simulated panels: does it find the true top 5?

No database: the engine is pure (scoring/engine.py), so this runs it directly.

Each seed draws a brief: candidates with a true level per category, interviewers with habits
(leniency, use of the scale, blanks), an assignment of candidates to interviewers, and integer
scores 0-5. Four rankings of the same scores are compared with the true one (the engine's own
rules applied to the true levels, through `rank_by_category_means`):

- engine: `compute_shortlist` as it ships (joint calibration, METHOD_VERSION 2);
- today: the method before this one (METHOD_VERSION 1: each interviewer's mean against the
  panel's mean, shrunk by n / (n + 5), none below 2 submissions, adjusted scores clamped),
  copied here as the baseline;
- plain mean: the raw scores averaged, no calibration;
- oracle: knows every interviewer's true leniency and scale and undoes them exactly (the
  best linear estimate from these scores); what calibration could reach at most.

Top-5 precision = share of the true top 5 found in a method's top 5, averaged over seeds.

The base panel (every regime starts from it): 30 candidates, 8 interviewers, 3 scorecards per
candidate from 3 different interviewers; a candidate's level in a category is
2.7 + category offset + general strength (sd 0.8) + category-specific part (sd 0.6), clamped to
0..5; an interviewer's leniency is uniform in -1..+1 points; each score is
round(2.5 + leniency + scale * (level - 2.5) + noise (sd 0.5)), clamped to 0..5.

Regimes:
  random          the base panel, interviewers drawn at random
  two_scorecards  2 scorecards per candidate instead of 3
  lenient_panel   everyone lenient: leniency 1.2 +- 0.6 (most scores at 4-5)
  scale_use       one interviewer spreads 0-5 (scale 1.7), one keeps to 2-4 (scale 0.45),
                  the others 0.8-1.2
  routed          60 % of candidates routed to interviewers by strength: interviewers in a
                  random seniority order, a candidate at strength quantile q goes to the 3
                  consecutive interviewers at position q * 5 (the issue's simulation)
  blanks          each interviewer leaves each category blank with their own probability
                  (uniform 0-30 %)
  all_at_once     all of the above together

Two more regimes measure the optional workspace evidence (earlier briefs of the same client):
  small_brief     12 candidates, 6 interviewers, 2 scorecards each
  split_panel     30 candidates, two teams of 4 interviewers that never share a candidate,
                  one team 0.5 more lenient on average than the other
In both, each seed also simulates 3 earlier briefs with the same interviewers (30 candidates,
3 scorecards, random panels; each interviewer's leniency drifts by sd 0.15 between briefs); the
engine's brief-only estimates from those are pooled with `workspace_habits_pool` and passed to
the new brief as `workspace_habits`.

Run: .venv/bin/python bench/decision_quality.py [--seeds 1000]
"""

import argparse
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hiring.rubric import CATEGORY_CODES
from scoring.engine import (
    InterviewerHabit,
    ScorecardInput,
    compute_shortlist,
    compute_shortlist_result,
    default_policy,
    rank_by_category_means,
    workspace_habits_pool,
)

POLICY = default_policy("python_ai_developer", is_genai=False)  # weights A/B lead, A >= 2
CATEGORY_OFFSETS = np.array([0.2, 0.0, 0.1, -0.3, 0.0])
TOP = 5
CENTRE = 2.5
NOISE = 0.5
REQUIRED = (
    "random",
    "two_scorecards",
    "lenient_panel",
    "scale_use",
    "routed",
    "blanks",
    "all_at_once",
)
WORKSPACE = ("small_brief", "split_panel")


@dataclass(frozen=True)
class Regime:
    candidates: int = 30
    interviewers: int = 8
    scorecards: int = 3
    lenient: bool = False
    scale_use: bool = False
    routed: bool = False
    blanks: bool = False
    teams: bool = False


REGIMES = {
    "random": Regime(),
    "two_scorecards": Regime(scorecards=2),
    "lenient_panel": Regime(lenient=True),
    "scale_use": Regime(scale_use=True),
    "routed": Regime(routed=True),
    "blanks": Regime(blanks=True),
    "all_at_once": Regime(scorecards=2, lenient=True, scale_use=True, routed=True, blanks=True),
    "small_brief": Regime(candidates=12, interviewers=6, scorecards=2),
    "split_panel": Regime(teams=True),
}


@dataclass(frozen=True)
class Habits:
    leniency: np.ndarray
    scale: np.ndarray
    blank_rate: np.ndarray


@dataclass(frozen=True)
class Brief:
    levels: np.ndarray  # candidates x categories, the truth
    cards: list[ScorecardInput]


def draw_habits(rng: np.random.Generator, regime: Regime) -> Habits:
    count = regime.interviewers
    if regime.lenient:
        leniency = 1.2 + rng.uniform(-0.6, 0.6, count)
    elif regime.teams:
        leniency = np.where(np.arange(count) < count // 2, 0.25, -0.25)
        leniency = leniency + rng.uniform(-0.5, 0.5, count)
    else:
        leniency = rng.uniform(-1.0, 1.0, count)
    scale = np.ones(count)
    if regime.scale_use:
        scale = rng.uniform(0.8, 1.2, count)
        spreader, narrow = rng.choice(count, 2, replace=False)
        scale[spreader] = 1.7
        scale[narrow] = 0.45
    blank_rate = rng.uniform(0.0, 0.3, count) if regime.blanks else np.zeros(count)
    return Habits(leniency, scale, blank_rate)


def draw_brief(rng: np.random.Generator, regime: Regime, habits: Habits, tag: str = "") -> Brief:
    count, panel, per = regime.candidates, regime.interviewers, regime.scorecards
    strength = rng.normal(0.0, 0.8, count)
    levels = np.clip(
        2.7 + CATEGORY_OFFSETS + strength[:, None] + rng.normal(0.0, 0.6, (count, 5)), 0.0, 5.0
    )
    seniority = rng.permutation(panel)
    quantile = np.argsort(np.argsort(levels.mean(axis=1))) / max(count - 1, 1)
    cards = []
    for candidate in range(count):
        if regime.teams:
            team = np.arange(panel // 2) + (panel // 2 if candidate % 2 else 0)
            who = rng.choice(team, per, replace=False)
        elif regime.routed and rng.random() < 0.6:
            start = round(quantile[candidate] * (panel - per))
            who = seniority[start : start + per]
        else:
            who = rng.choice(panel, per, replace=False)
        for interviewer in who.tolist():
            raw = (
                CENTRE
                + habits.leniency[interviewer]
                + habits.scale[interviewer] * (levels[candidate] - CENTRE)
                + rng.normal(0.0, NOISE, 5)
            )
            scores = np.clip(np.floor(raw + 0.5), 0, 5).astype(int).tolist()
            blank = rng.random(5) < habits.blank_rate[interviewer]
            cards.append(
                ScorecardInput(
                    submission_id=f"{tag}c{candidate:02d}",
                    interviewer_id=f"iv{interviewer}",
                    scores={
                        code: (None if blank[n] else scores[n])
                        for n, code in enumerate(CATEGORY_CODES)
                    },
                )
            )
    return Brief(levels, cards)


def _cells(cards: list[ScorecardInput]) -> dict[str, list[list[tuple[str, int]]]]:
    """submission -> per category the (interviewer, raw score) pairs."""
    cells: dict[str, list[list[tuple[str, int]]]] = {}
    for card in cards:
        row = cells.setdefault(card.submission_id, [[] for _ in CATEGORY_CODES])
        for n, code in enumerate(CATEGORY_CODES):
            value = card.scores[code]
            if value is not None:
                row[n].append((card.interviewer_id, value))
    return cells


def _counts(cards: list[ScorecardInput]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for card in cards:
        counts[card.submission_id] = counts.get(card.submission_id, 0) + 1
    return counts


def _top(means: dict[str, list[float | None]], cards: list[ScorecardInput]) -> set[str]:
    return set(rank_by_category_means(means, POLICY, scorecard_counts=_counts(cards))[:TOP])


def plain_top(cards: list[ScorecardInput]) -> set[str]:
    means = {
        sid: [sum(v for _, v in cell) / len(cell) if cell else None for cell in row]
        for sid, row in _cells(cards).items()
    }
    return _top(means, cards)


def oracle_top(cards: list[ScorecardInput], habits: Habits) -> set[str]:
    def level(cell: list[tuple[str, int]]) -> float | None:
        if not cell:
            return None
        top = bottom = 0.0
        for interviewer, value in cell:
            index = int(interviewer[2:])
            scale = habits.scale[index]
            top += scale * (value - CENTRE - habits.leniency[index])
            bottom += scale * scale
        return min(5.0, max(0.0, CENTRE + top / bottom))

    means = {sid: [level(cell) for cell in row] for sid, row in _cells(cards).items()}
    return _top(means, cards)


def today_top(cards: list[ScorecardInput]) -> set[str]:
    """METHOD_VERSION 1 of scoring/engine.py, copied: offsets against the panel mean."""
    totals: dict[str, list[int]] = {}
    submissions: dict[str, set[str]] = {}
    panel_sum = panel_count = 0
    for card in cards:
        given = [v for v in card.scores.values() if v is not None]
        if not given:
            continue
        submissions.setdefault(card.interviewer_id, set()).add(card.submission_id)
        tally = totals.setdefault(card.interviewer_id, [0, 0])
        tally[0] += sum(given)
        tally[1] += len(given)
        panel_sum += sum(given)
        panel_count += len(given)
    panel_mean = panel_sum / panel_count
    offsets = {
        interviewer: (total / count - panel_mean) * count / (count + 5)
        for interviewer, (total, count) in totals.items()
        if len(submissions[interviewer]) >= 2
    }
    means: dict[str, list[float | None]] = {}
    for sid, row in _cells(cards).items():
        means[sid] = [
            sum(min(5.0, max(0.0, v - offsets.get(iv, 0.0))) for iv, v in cell) / len(cell)
            if cell
            else None
            for cell in row
        ]
    return _top(means, cards)


def engine_top(
    cards: list[ScorecardInput], habits: dict[str, InterviewerHabit] | None = None
) -> set[str]:
    return {entry.submission_id for entry in compute_shortlist(cards, POLICY, (), habits)[:TOP]}


def workspace_evidence(rng: np.random.Generator, regime: Regime, habits: Habits) -> dict:
    """Pool the engine's brief-only estimates from 3 earlier briefs of the same interviewers."""
    earlier = replace(regime, candidates=30, scorecards=3, teams=False, routed=False)
    estimates = []
    for brief_number in range(3):
        drifted = replace(
            habits, leniency=habits.leniency + rng.normal(0.0, 0.15, len(habits.leniency))
        )
        brief = draw_brief(rng, earlier, drifted, tag=f"e{brief_number}")
        result = compute_shortlist_result(brief.cards, POLICY)
        estimates += [
            (row.interviewer_id, row.brief_leniency, row.evidence) for row in result.interviewers
        ]
    return workspace_habits_pool(estimates)


def run_regime(name: str, seeds: int) -> dict[str, float]:
    regime = REGIMES[name]
    found: dict[str, list[float]] = {}
    for seed in range(seeds):
        rng = np.random.default_rng([seed, list(REGIMES).index(name)])
        habits = draw_habits(rng, regime)
        brief = draw_brief(rng, regime, habits)
        truth_means = {f"c{n:02d}": row.tolist() for n, row in enumerate(brief.levels)}
        present = {card.submission_id for card in brief.cards}
        truth = set(
            rank_by_category_means(
                {sid: means for sid, means in truth_means.items() if sid in present}, POLICY
            )[:TOP]
        )
        tops = {
            "engine": engine_top(brief.cards),
            "today": today_top(brief.cards),
            "plain": plain_top(brief.cards),
            "oracle": oracle_top(brief.cards, habits),
        }
        if name in WORKSPACE:
            tops["engine_workspace"] = engine_top(
                brief.cards, workspace_evidence(rng, regime, habits)
            )
        for method, top in tops.items():
            found.setdefault(method, []).append(len(top & truth) / TOP)
    means = {method: float(np.mean(values)) for method, values in found.items()}
    # Standard error of the engine/oracle ratio from the paired per-seed differences.
    gaps = np.array(found["engine"]) - np.array(found["oracle"])
    means["ratio_se"] = float(gaps.std(ddof=1) / np.sqrt(seeds) / means["oracle"])
    return means


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=1000)
    args = parser.parse_args()
    started = time.perf_counter()
    results = {name: run_regime(name, args.seeds) for name in (*REQUIRED, *WORKSPACE)}
    seconds = time.perf_counter() - started

    print(f"top-{TOP} precision over {args.seeds} seeds per regime ({seconds:.0f} s)")
    print(
        f"{'regime':<16} {'engine':>7} {'today':>7} {'plain':>7} {'oracle':>7} "
        f"{'engine/oracle':>14} {'+-se':>6} {'engine-plain':>13}"
    )
    for name in REQUIRED:
        row = results[name]
        print(
            f"{name:<16} {row['engine']:>7.3f} {row['today']:>7.3f} {row['plain']:>7.3f} "
            f"{row['oracle']:>7.3f} {row['engine'] / row['oracle']:>14.3f} "
            f"{row['ratio_se']:>6.3f} {row['engine'] - row['plain']:>+13.3f}"
        )
    print()
    print("workspace evidence (3 earlier briefs of the same interviewers)")
    print(
        f"{'regime':<16} {'engine':>7} {'+workspace':>11} {'today':>7} {'plain':>7} "
        f"{'oracle':>7} {'ratio':>6} {'ratio+ws':>9}"
    )
    for name in WORKSPACE:
        row = results[name]
        print(
            f"{name:<16} {row['engine']:>7.3f} {row['engine_workspace']:>11.3f} "
            f"{row['today']:>7.3f} {row['plain']:>7.3f} {row['oracle']:>7.3f} "
            f"{row['engine'] / row['oracle']:>6.3f} "
            f"{row['engine_workspace'] / row['oracle']:>9.3f}"
        )

    ratios = {name: results[name]["engine"] / results[name]["oracle"] for name in REQUIRED}
    margins = {name: results[name]["engine"] - results[name]["plain"] for name in REQUIRED}
    fields = [
        f"seeds={args.seeds}",
        f"min_ratio={min(ratios.values()):.3f}",
        f"min_margin_over_plain={min(margins.values()):+.3f}",
        f"random_engine={results['random']['engine']:.3f}",
        f"random_today={results['random']['today']:.3f}",
        *(f"{name}={ratios[name]:.3f}" for name in REQUIRED),
        *(
            f"{name}_workspace_gain="
            f"{results[name]['engine_workspace'] - results[name]['engine']:+.3f}"
            for name in WORKSPACE
        ),
    ]
    print("RESULT decision_quality " + " ".join(fields))


if __name__ == "__main__":
    main()
