"""The comparison engine behind shortlists: a fair, explained ranking for one role brief.

The engine turns interviewer scorecards (AI Delivery Scorecard, categories A-E scored 0-5)
into a ranked shortlist. It is pure on purpose: no Django, no database, no clock, no I/O (its
one import from the project is the rubric, plain data in hiring.rubric).
The caller loads the scorecards and the brief's policy, calls `compute_shortlist`, and stores
the result next to `inputs_fingerprint(...)` so an unchanged input never costs a recompute.
Keeping the arithmetic here, away from the ORM, lets the method be tested by hand-worked
examples and lets the numbers in docs/scoring.md be checked by the test suite.

The method, in the order it is applied (docs/scoring.md explains each step and why):

1. calibrate lenient and harsh interviewers against the panel, with shrinkage;
2. average the adjusted scores per submission and category; an unscored category counts 0;
3. weighted score on the 0-5 scale from the brief's weights;
4. floors: a category below its floor keeps the submission out of the top group unless an
   executive overrode it;
5. balance penalty, so one weak category costs more than the plain average shows;
6. a "needs debrief" flag where interviewers' raw scores are 2 or more points apart;
7. a confidence figure from the number of scorecards, missing categories and disagreement;
8. a deterministic order, then a plain-language reason per candidate.
"""

import hashlib
import json
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, NamedTuple

from hiring.rubric import (
    CATEGORY_CODES,
    CATEGORY_PHRASES,
    SCORE_MAX,
    SCORE_MIN,
    default_weights_and_floors,
)

RECOMMENDATIONS: Final[tuple[str, ...]] = ("strong_no", "no", "mixed", "yes", "strong_yes")
_CATEGORY_CODE_SET: Final = frozenset(CATEGORY_CODES)

# Calibration: an interviewer's offset is shrunk by n / (n + k), n = scores they gave.
CALIBRATION_SHRINKAGE_SCORES: Final = 5
# With a single submission a high mean may just be a strong candidate, so no offset at all.
CALIBRATION_MIN_SUBMISSIONS: Final = 2
# Balanced score = weighted score - factor * (mean of the five categories - weakest one).
BALANCE_PENALTY_FACTOR: Final = 0.25
# Raw scores this far apart on one category mean the panel saw different things.
DISAGREEMENT_POINTS: Final = 2
# Each category that needs a debrief takes this share off the confidence.
DEBRIEF_CONFIDENCE_PENALTY: Final = 0.1
OUTPUT_DECIMALS: Final = 3

# Part of the fingerprint: bump it whenever the method or its constants change, so results
# cached under an older method are recomputed even though the inputs did not change.
METHOD_VERSION: Final = "1"


def _is_int(value: object) -> bool:
    # bool is a subclass of int, but True is not a score.
    return isinstance(value, int) and not isinstance(value, bool)


def _check_category_keys(mapping: Mapping[str, object], what: str) -> None:
    unknown = sorted(str(key) for key in mapping if key not in CATEGORY_CODES)
    if unknown:
        raise ValueError(
            f"{what}: unknown category code(s) {', '.join(repr(code) for code in unknown)}; "
            f"expected codes from {', '.join(CATEGORY_CODES)}"
        )


@dataclass(frozen=True)
class ScorecardInput:
    """One interviewer's scorecard for one submission, validated when it is built.

    `scores` may omit categories or hold None for them: the interviewer did not score it.
    After construction `scores` is a read-only copy holding all five codes, so a caller's
    later changes to its own dict cannot slip past validation.
    """

    submission_id: str
    interviewer_id: str
    scores: Mapping[str, int | None]
    recommendation: str | None = None
    # The five scores in code order: the hot loops index a tuple instead of a mapping.
    _values: tuple[int | None, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Built 15,000 times for a large brief, so the happy path avoids helper calls and
        # only a failure spends time on a detailed message.
        for label, identifier in (
            ("submission_id", self.submission_id),
            ("interviewer_id", self.interviewer_id),
        ):
            if not isinstance(identifier, str) or not identifier:
                raise ValueError(
                    f"scorecard {label} must be a non-empty string, got {identifier!r}"
                )
        scores = self.scores
        if not _CATEGORY_CODE_SET.issuperset(scores):
            _check_category_keys(scores, self._where())
        values = tuple(map(scores.get, CATEGORY_CODES))
        for code, value in zip(CATEGORY_CODES, values, strict=True):
            # type() rather than isinstance(): True and False are ints but not scores.
            if value is not None and (
                type(value) is not int or not SCORE_MIN <= value <= SCORE_MAX
            ):
                raise ValueError(
                    f"{self._where()}: score for {code} must be an integer from {SCORE_MIN} "
                    f"to {SCORE_MAX} or None, got {value!r}"
                )
        if self.recommendation is not None and self.recommendation not in RECOMMENDATIONS:
            raise ValueError(
                f"{self._where()}: recommendation must be one of "
                f"{', '.join(RECOMMENDATIONS)} or None, got {self.recommendation!r}"
            )
        object.__setattr__(
            self, "scores", MappingProxyType(dict(zip(CATEGORY_CODES, values, strict=True)))
        )
        object.__setattr__(self, "_values", values)

    def _where(self) -> str:
        return f"scorecard {self.submission_id}/{self.interviewer_id}"


@dataclass(frozen=True)
class BriefPolicy:
    """How one brief values the categories: relative weights, optional floors, GenAI or not.

    Weights must name all five categories (a forgotten category silently weighing nothing
    would be a bug, not a policy); they are relative and normalised by the engine. Floors are
    the minimum acceptable calibrated category mean; absent or None means no floor.
    """

    weights: Mapping[str, float]
    floors: Mapping[str, int | None]
    is_genai: bool = False

    def __post_init__(self) -> None:
        _check_category_keys(self.weights, "weights")
        _check_category_keys(self.floors, "floors")
        absent = [code for code in CATEGORY_CODES if code not in self.weights]
        if absent:
            raise ValueError(f"weights: no weight for category {', '.join(absent)}")
        for code in CATEGORY_CODES:
            weight = self.weights[code]
            if not (
                isinstance(weight, int | float)
                and not isinstance(weight, bool)
                and math.isfinite(weight)
                and weight >= 0
            ):
                raise ValueError(
                    f"weights: weight for {code} must be a finite number >= 0, got {weight!r}"
                )
        if sum(self.weights[code] for code in CATEGORY_CODES) <= 0:
            raise ValueError("weights: all weights are zero; at least one category must count")
        for code, floor in self.floors.items():
            if floor is not None and not (_is_int(floor) and SCORE_MIN <= floor <= SCORE_MAX):
                raise ValueError(
                    f"floors: floor for {code} must be an integer from {SCORE_MIN} to "
                    f"{SCORE_MAX} or None, got {floor!r}"
                )
        if not isinstance(self.is_genai, bool):
            raise ValueError(f"is_genai must be True or False, got {self.is_genai!r}")
        weights = {code: float(self.weights[code]) for code in CATEGORY_CODES}
        floors = {code: self.floors.get(code) for code in CATEGORY_CODES}
        object.__setattr__(self, "weights", MappingProxyType(weights))
        object.__setattr__(self, "floors", MappingProxyType(floors))


@dataclass(frozen=True)
class ShortlistEntry:
    """One ranked submission with the figures and flags a hiring manager needs to decide.

    Floats are rounded to 3 decimals. `category_means` holds the calibrated mean per code,
    None where nobody scored the category. `below_floor` stays filled when an executive
    overrode the exclusion; `floor_overridden` says the entry was allowed into the top group.
    """

    submission_id: str
    rank: int
    weighted_score: float
    balanced_score: float
    category_means: dict[str, float | None]
    below_floor: tuple[str, ...]
    floor_overridden: bool
    missing: tuple[str, ...]
    needs_debrief: tuple[str, ...]
    confidence: float
    scorecard_count: int
    reason: str


def default_policy(track: str, is_genai: bool) -> BriefPolicy:
    """The starting policy for a new brief of `track` (hiring.rubric has the numbers)."""
    weights, floors = default_weights_and_floors(track, is_genai)
    return BriefPolicy(weights=weights, floors=floors, is_genai=is_genai)


def _interviewer_offsets(scorecards: Sequence[ScorecardInput]) -> dict[str, float]:
    """Offset per interviewer: how far their mean given score sits from the panel's mean.

    The offset is shrunk by n / (n + k) (n = scores the interviewer gave, k =
    CALIBRATION_SHRINKAGE_SCORES) because a mean over a handful of scores says more about
    the few candidates seen than about the interviewer. Interviewers who scored fewer than
    CALIBRATION_MIN_SUBMISSIONS distinct submissions get no offset. Also rejects a second
    scorecard by the same interviewer for the same submission, which would count them twice.
    """
    totals: dict[str, list[int]] = {}  # interviewer -> [sum of scores, number of scores]
    submissions_seen: dict[str, set[str]] = {}
    seen_pairs: set[tuple[str, str]] = set()
    panel_sum = 0
    panel_count = 0
    for card in scorecards:
        pair = (card.submission_id, card.interviewer_id)
        if pair in seen_pairs:
            raise ValueError(
                f"interviewer {card.interviewer_id} has more than one scorecard for "
                f"submission {card.submission_id}"
            )
        seen_pairs.add(pair)
        given = [value for value in card._values if value is not None]
        if not given:
            # An empty scorecard says nothing about how the interviewer scores.
            continue
        submissions_seen.setdefault(card.interviewer_id, set()).add(card.submission_id)
        tally = totals.setdefault(card.interviewer_id, [0, 0])
        card_sum = sum(given)
        tally[0] += card_sum
        tally[1] += len(given)
        panel_sum += card_sum
        panel_count += len(given)
    if panel_count == 0:
        return {}
    panel_mean = panel_sum / panel_count
    offsets: dict[str, float] = {}
    for interviewer, (score_sum, score_count) in totals.items():
        if len(submissions_seen[interviewer]) < CALIBRATION_MIN_SUBMISSIONS:
            continue
        shrinkage = score_count / (score_count + CALIBRATION_SHRINKAGE_SCORES)
        offsets[interviewer] = (score_sum / score_count - panel_mean) * shrinkage
    return offsets


class _Tally:
    """Running per-category sums for one submission, filled in a single pass."""

    __slots__ = ("card_count", "counts", "highs", "lows", "sums")

    def __init__(self) -> None:
        self.card_count = 0
        self.sums = [0.0] * len(CATEGORY_CODES)
        self.counts = [0] * len(CATEGORY_CODES)
        self.lows = [SCORE_MAX + 1] * len(CATEGORY_CODES)
        self.highs = [SCORE_MIN - 1] * len(CATEGORY_CODES)


class _Assessment(NamedTuple):
    """Everything about one submission except its rank, which needs all of them."""

    submission_id: str
    excluded: bool
    weighted_score: float
    balanced_score: float
    category_means: dict[str, float | None]
    below_floor: tuple[str, ...]
    floor_overridden: bool
    missing: tuple[str, ...]
    needs_debrief: tuple[str, ...]
    confidence: float
    scorecard_count: int
    reason: str


def _round(value: float) -> float:
    rounded = round(value, OUTPUT_DECIMALS)
    return rounded + 0.0  # turns -0.0 into 0.0 so the output never shows a negative zero


def _format_number(shown: float) -> str:
    """Write an already rounded figure: 3.667 -> "3.667", 4.5 -> "4.5", 2.0 -> "2.0".

    The shortest repr of a float rounded to 3 decimals is exactly that decimal, so prose
    shows the same precision the engine compares with; a mean of 2.96 is never written as
    "3.0 is below the floor of 3".
    """
    return repr(shown)


def _join_phrases(codes: Sequence[str]) -> str:
    phrases = [CATEGORY_PHRASES[code] for code in codes]
    if len(phrases) == 1:
        return phrases[0]
    return f"{', '.join(phrases[:-1])} and {phrases[-1]}"


def _reason(
    *,
    scored: Sequence[tuple[str, float]],
    weakest_codes: Sequence[str],
    weakest_value: float,
    penalty: float,
    below_floor: Sequence[str],
    means: Mapping[str, float | None],
    policy: BriefPolicy,
    floor_overridden: bool,
    missing: Sequence[str],
    needs_debrief: Sequence[str],
) -> str:
    """A deterministic sentence built from the flags, strongest point first.

    `scored` holds (code, shown mean) for the scored categories in code order. Every figure
    arrives rounded like the entry's own numbers, so the sentence and the numbers agree.
    """
    parts: list[str] = []
    if not scored:
        parts.append("No category has been scored yet")
    else:
        top = max(value for _, value in scored)
        top_codes = [code for code, value in scored if value == top]
        if len(top_codes) == len(CATEGORY_CODES):
            parts.append(f"Even profile at {_format_number(top)}")
        else:
            parts.append(f"Strongest on {_join_phrases(top_codes)} ({_format_number(top)})")
        if penalty > 0:
            # A weakest category nobody scored is described by the "not scored" part below.
            shown = (
                "not scored"
                if all(means[code] is None for code in weakest_codes)
                else _format_number(weakest_value)
            )
            parts.append(
                f"weakest on {_join_phrases(weakest_codes)} ({shown}), which lowers the "
                f"balanced score by {_format_number(penalty)}"
            )
    brief = "this GenAI brief" if policy.is_genai else "this brief"
    for code in below_floor:
        value = means[code]
        floor = policy.floors[code]
        if value is None:
            parts.append(
                f"{CATEGORY_PHRASES[code]} was not scored, but {brief} requires at least {floor}"
            )
        else:
            parts.append(
                f"{CATEGORY_PHRASES[code]} {_format_number(value)} is below the floor of "
                f"{floor} {brief} requires"
            )
    if floor_overridden:
        parts.append("an executive overrode the floor exclusion")
    unexplained_missing = [code for code in missing if code not in below_floor]
    if unexplained_missing:
        verbs = (
            "was not scored and counts"
            if len(unexplained_missing) == 1
            else "were not scored and count"
        )
        parts.append(f"{_join_phrases(unexplained_missing)} {verbs} as 0")
    if needs_debrief:
        parts.append(f"interviewers disagree on {_join_phrases(needs_debrief)}: needs a debrief")
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def _assess(
    submission_id: str,
    tally: _Tally,
    weights: tuple[float, ...],
    floors: tuple[int | None, ...],
    policy: BriefPolicy,
    overridden_ids: frozenset[str],
) -> _Assessment:
    """Score one submission from its tally.

    This runs once per submission and is the engine's hot path for large briefs, hence one
    loop over the five categories and weights/floors passed as tuples prepared once.
    """
    means: dict[str, float | None] = {}
    scored: list[tuple[str, float]] = []
    values: list[float] = []
    missing: list[str] = []
    below_floor: list[str] = []
    needs_debrief: list[str] = []
    weighted = 0.0
    for index, code in enumerate(CATEGORY_CODES):
        count = tally.counts[index]
        floor = floors[index]
        if count:
            value = tally.sums[index] / count
            shown = round(value, OUTPUT_DECIMALS)
            means[code] = shown
            scored.append((code, shown))
            # Compare at the shown precision: calibration can turn an exact 3 into
            # 2.9999999999999996, which must not breach a floor of 3 while 3.0 is displayed.
            if floor is not None and shown < floor:
                below_floor.append(code)
            if count > 1 and tally.highs[index] - tally.lows[index] >= DISAGREEMENT_POINTS:
                needs_debrief.append(code)
        else:
            # A category nobody scored counts as 0 everywhere in the ranking (weighted score
            # and balance alike), so leaving it blank can never beat scoring it, even at 0.
            value = 0.0
            means[code] = None
            missing.append(code)
            if floor is not None:
                below_floor.append(code)
        values.append(value)
        weighted += weights[index] * value
    weakest = min(values)
    penalty = BALANCE_PENALTY_FACTOR * (sum(values) / len(values) - weakest)
    balanced = max(0.0, weighted - penalty)

    card_count = tally.card_count
    confidence = (
        card_count
        / (card_count + 1)
        * (len(CATEGORY_CODES) - len(missing))
        / len(CATEGORY_CODES)
        * (1 - DEBRIEF_CONFIDENCE_PENALTY * len(needs_debrief))
    )
    floor_overridden = bool(below_floor) and submission_id in overridden_ids
    reason = _reason(
        scored=scored,
        weakest_codes=[
            code for code, value in zip(CATEGORY_CODES, values, strict=True) if value == weakest
        ],
        weakest_value=_round(weakest),
        penalty=_round(penalty),
        below_floor=below_floor,
        means=means,
        policy=policy,
        floor_overridden=floor_overridden,
        missing=missing,
        needs_debrief=needs_debrief,
    )
    return _Assessment(
        submission_id,
        bool(below_floor) and not floor_overridden,
        _round(weighted),
        _round(balanced),
        means,
        tuple(below_floor),
        floor_overridden,
        tuple(missing),
        tuple(needs_debrief),
        _round(confidence),
        card_count,
        reason,
    )


def _rank_key(assessment: _Assessment) -> tuple[bool, float, float, int, str]:
    # Rounded figures on purpose: two candidates showing the same balanced score are a tie,
    # even if float arithmetic left them 1e-16 apart.
    return (
        assessment.excluded,
        -assessment.balanced_score,
        -assessment.weighted_score,
        -assessment.scorecard_count,
        assessment.submission_id,
    )


def compute_shortlist(
    scorecards: Sequence[ScorecardInput],
    policy: BriefPolicy,
    overrides: Collection[str] = (),
) -> list[ShortlistEntry]:
    """Rank every submission that has at least one scorecard, best first (rank 1..n).

    `overrides` holds submission ids whose floor exclusion an executive lifted: they keep
    their `below_floor` flag but compete in the top group; ids without a breach are ignored.
    Two linear passes over the scorecards (calibration needs every interviewer's mean before
    any score is adjusted), one small loop per submission, then one sort: no step re-scans
    the scorecards per candidate, which keeps a 15,000-scorecard brief well inside budget.
    """
    offsets = _interviewer_offsets(scorecards)
    # Raw scores are the integers 0..5, so each interviewer's adjusted (calibrated, clamped)
    # score can be looked up instead of computed 75,000 times for a large brief.
    identity = tuple(float(raw) for raw in range(SCORE_MIN, SCORE_MAX + 1))
    adjusted_by_interviewer = {
        interviewer: tuple(
            min(float(SCORE_MAX), max(float(SCORE_MIN), raw - offset)) for raw in identity
        )
        for interviewer, offset in offsets.items()
    }
    total_weight = sum(policy.weights[code] for code in CATEGORY_CODES)
    weights = tuple(policy.weights[code] / total_weight for code in CATEGORY_CODES)
    floors = tuple(policy.floors[code] for code in CATEGORY_CODES)

    tallies: dict[str, _Tally] = {}
    for card in scorecards:
        tally = tallies.get(card.submission_id)
        if tally is None:
            tally = tallies[card.submission_id] = _Tally()
        tally.card_count += 1
        adjusted = adjusted_by_interviewer.get(card.interviewer_id, identity)
        sums, counts, lows, highs = tally.sums, tally.counts, tally.lows, tally.highs
        for index, raw in enumerate(card._values):
            if raw is None:
                continue
            sums[index] += adjusted[raw]
            counts[index] += 1
            if raw < lows[index]:
                lows[index] = raw
            if raw > highs[index]:
                highs[index] = raw

    overridden_ids = frozenset(overrides)
    assessments = sorted(
        (
            _assess(submission_id, tally, weights, floors, policy, overridden_ids)
            for submission_id, tally in tallies.items()
        ),
        key=_rank_key,
    )
    return [
        ShortlistEntry(
            submission_id=assessment.submission_id,
            rank=rank,
            weighted_score=assessment.weighted_score,
            balanced_score=assessment.balanced_score,
            category_means=assessment.category_means,
            below_floor=assessment.below_floor,
            floor_overridden=assessment.floor_overridden,
            missing=assessment.missing,
            needs_debrief=assessment.needs_debrief,
            confidence=assessment.confidence,
            scorecard_count=assessment.scorecard_count,
            reason=assessment.reason,
        )
        for rank, assessment in enumerate(assessments, start=1)
    ]


def inputs_fingerprint(
    scorecards: Sequence[ScorecardInput],
    policy: BriefPolicy,
    overrides: Collection[str] = (),
) -> str:
    """sha256 hex of a canonical JSON of everything that can change the shortlist.

    Scorecards are sorted so the order the database returned them in does not matter;
    overrides are sorted and de-duplicated; weights are written as floats so 1 and 1.0 agree.
    METHOD_VERSION is included so a change to the method invalidates stored results.
    """
    rows = sorted(
        (
            [card.submission_id, card.interviewer_id, list(card._values), card.recommendation]
            for card in scorecards
        ),
        key=lambda row: json.dumps(row),
    )
    payload = {
        "method": METHOD_VERSION,
        "policy": {
            "weights": [policy.weights[code] for code in CATEGORY_CODES],
            "floors": [policy.floors[code] for code in CATEGORY_CODES],
            "is_genai": policy.is_genai,
        },
        "scorecards": rows,
        "overrides": sorted(set(overrides)),
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
