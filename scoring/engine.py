"""The comparison engine behind shortlists: a fair, explained ranking for one role brief.

The engine turns interviewer scorecards (AI Delivery Scorecard, categories A-E scored 0-5)
into a ranked shortlist. It is pure on purpose: no Django, no database, no clock, no I/O (its
imports from the project are the rubric, plain data in hiring.rubric, and the calibration
arithmetic in scoring.calibration; numpy does the vector work).
The caller loads the scorecards and the brief's policy, calls `compute_shortlist_result`, and
stores the result next to `inputs_fingerprint(...)` so an unchanged input never costs a
recompute. Keeping the arithmetic here, away from the ORM, lets the method be tested by
hand-worked examples and lets the numbers in docs/scoring.md be checked by the test suite.

The method, in the order it is applied (docs/scoring.md explains each step and why):

1. calibrate: estimate every candidate's level per category together with every
   interviewer's leniency (and, where the data supports it, their use of the scale) from
   the scores interviewers gave the same candidates, with shrinkage toward no adjustment;
2. category means are those calibrated levels; an unscored category counts 0;
3. weighted score on the 0-5 scale from the brief's weights;
4. floors: a category below its floor keeps the submission out of the top group unless an
   executive overrode it;
5. balance penalty, so one weak category costs more than the plain average shows;
6. a "needs debrief" flag where interviewers' raw scores are 2 or more points apart;
7. a confidence figure from the evidence behind the calibrated levels, missing categories
   and disagreement;
8. a deterministic order, then a plain-language reason per candidate; the same order is
   also computed from the raw means (no calibration) so both can be shown side by side.
"""

import hashlib
import itertools
import json
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

import numpy as np

from hiring.rubric import (
    CATEGORY_CODES,
    CATEGORY_PHRASES,
    SCORE_MAX,
    SCORE_MIN,
    default_weights_and_floors,
)
from scoring.calibration import (
    CALIBRATION_SHRINKAGE_SCORES,
    SCALE_BOUNDS,
    SCALE_MIN_SUBMISSIONS,
    SCALE_SHRINKAGE,
    BoolArray,
    Estimate,
    FloatArray,
    IntArray,
    Observations,
    estimate,
)

__all__ = [
    "BALANCE_PENALTY_FACTOR",
    "CALIBRATION_NOTE_POINTS",
    "CALIBRATION_SHRINKAGE_SCORES",
    "DEBRIEF_CONFIDENCE_PENALTY",
    "DISAGREEMENT_POINTS",
    "METHOD_VERSION",
    "SCALE_BOUNDS",
    "SCALE_MIN_SUBMISSIONS",
    "SCALE_SHRINKAGE",
    "WORKSPACE_EVIDENCE_CAP",
    "WORKSPACE_EVIDENCE_SHARE",
    "BriefPolicy",
    "InterviewerCalibration",
    "InterviewerHabit",
    "ScorecardInput",
    "ShortlistEntry",
    "ShortlistResult",
    "compute_shortlist",
    "compute_shortlist_result",
    "default_policy",
    "inputs_fingerprint",
    "rank_by_category_means",
    "workspace_habits_pool",
]

RECOMMENDATIONS: Final[tuple[str, ...]] = ("strong_no", "no", "mixed", "yes", "strong_yes")
_CATEGORY_CODE_SET: Final = frozenset(CATEGORY_CODES)
_CATEGORIES: Final = len(CATEGORY_CODES)

# Balanced score = weighted score - factor * (mean of the five categories - weakest one).
BALANCE_PENALTY_FACTOR: Final = 0.25
# Raw scores this far apart on one category mean the panel saw different things.
DISAGREEMENT_POINTS: Final = 2
# Each category that needs a debrief takes this share off the confidence.
DEBRIEF_CONFIDENCE_PENALTY: Final = 0.1
# The reason mentions calibration when it moved the weighted score at least this much.
CALIBRATION_NOTE_POINTS: Final = 0.1
# Workspace evidence (earlier briefs of the same client) counts at this share of its
# compared scores, and never for more than the cap: habits drift, and another role is
# another context. See docs/scoring.md, "Workspace evidence".
WORKSPACE_EVIDENCE_SHARE: Final = 0.5
WORKSPACE_EVIDENCE_CAP: Final = 40.0
OUTPUT_DECIMALS: Final = 3

# Part of the fingerprint: bump it whenever the method or its constants change, so results
# cached under an older method are recomputed even though the inputs did not change.
METHOD_VERSION: Final = "2"


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


class ScorecardColumns:
    """Many scorecards as columns, the way a database returns them: the same inputs as a list
    of ScorecardInput, validated once for the whole set with array operations instead of once
    per card. The engine gives identical results for both forms (tests check it).

    `rows` are (submission_id, interviewer_id, score A, B, C, D, E, recommendation), ids as
    non-empty strings, each score an integer SCORE_MIN..SCORE_MAX or None, the
    recommendation one of RECOMMENDATIONS or None (or "", read as None).
    """

    def __init__(self, rows: Sequence[Sequence[Any]]) -> None:
        self.submission_ids: list[str] = [row[0] for row in rows]
        self.interviewer_ids: list[str] = [row[1] for row in rows]
        self.recommendations: list[str | None] = [row[7] or None for row in rows]
        for label, identifiers in (
            ("submission_id", self.submission_ids),
            ("interviewer_id", self.interviewer_ids),
        ):
            bad = [value for value in identifiers if not isinstance(value, str) or not value]
            if bad:
                raise ValueError(f"scorecard {label} must be a non-empty string, got {bad[0]!r}")
        raw = [tuple(row[2:7]) for row in rows]
        # type() rather than isinstance(): True and False are ints but not scores.
        kinds = set(map(type, itertools.chain.from_iterable(raw)))
        if not kinds <= {int, type(None)}:
            bad_value = next(
                value
                for value in itertools.chain.from_iterable(raw)
                if type(value) not in (int, type(None))
            )
            raise ValueError(
                f"a score must be an integer from {SCORE_MIN} to {SCORE_MAX} or None, "
                f"got {bad_value!r}"
            )
        self.values: FloatArray = np.array(raw, dtype=np.float64).reshape(len(rows), _CATEGORIES)
        scored = self.values[~np.isnan(self.values)]
        if scored.size and (scored.min() < SCORE_MIN or scored.max() > SCORE_MAX):
            raise ValueError(
                f"a score must be an integer from {SCORE_MIN} to {SCORE_MAX} or None, got "
                f"{int(scored.min() if scored.min() < SCORE_MIN else scored.max())}"
            )
        unknown = set(self.recommendations) - {None, *RECOMMENDATIONS}
        if unknown:
            raise ValueError(
                f"recommendation must be one of {', '.join(RECOMMENDATIONS)} or None, got "
                f"{sorted(map(str, unknown))[0]!r}"
            )
        self._value_tuples = raw

    def __len__(self) -> int:
        return len(self.submission_ids)

    def value_tuples(self) -> list[tuple[int | None, ...]]:
        """The five scores of each card in code order, as ScorecardInput keeps them."""
        return self._value_tuples


Scorecards = Sequence[ScorecardInput] | ScorecardColumns


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
class InterviewerHabit:
    """An interviewer's leniency measured on the workspace's earlier briefs: the prior.

    `evidence` is the effective number of compared scores behind it (see
    `workspace_habits_pool`); the engine counts it at WORKSPACE_EVIDENCE_SHARE, capped.
    """

    leniency: float
    evidence: float

    def __post_init__(self) -> None:
        for label, value in (("leniency", self.leniency), ("evidence", self.evidence)):
            if not (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and math.isfinite(value)
            ):
                raise ValueError(f"workspace habit {label} must be a finite number, got {value!r}")
        if self.evidence < 0:
            raise ValueError(f"workspace habit evidence must be >= 0, got {self.evidence!r}")
        object.__setattr__(self, "leniency", float(self.leniency))
        object.__setattr__(self, "evidence", float(self.evidence))


@dataclass(frozen=True)
class ShortlistEntry:
    """One ranked submission with the figures and flags a hiring manager needs to decide.

    Floats are rounded to 3 decimals. `category_means` holds the calibrated mean per code,
    None where nobody scored the category. `below_floor` stays filled when an executive
    overrode the exclusion; `floor_overridden` says the entry was allowed into the top group.
    `uncalibrated_rank` and `uncalibrated_score` are the rank and balanced score the same
    rules give on the raw means. `panel_group` is the panel group most of its scores come
    from: 1 = the main panel, 2.. = groups that share no candidate with it, 0 = interviewers
    who share no scored candidate with anyone; None when nothing was scored.
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
    uncalibrated_rank: int = 0
    uncalibrated_score: float = 0.0
    panel_group: int | None = None


@dataclass(frozen=True)
class InterviewerCalibration:
    """What the calibration found about one interviewer, with the evidence behind it.

    `leniency`: points above (+) or below (-) what the rest of the panel gives the same
    candidates, at the panel's mean level. `scale`: how widely they use the scale compared
    with the panel (1.0 = like the panel; only estimated where `scale_estimated`).
    `compared_scores`: their scores on a category of a candidate another interviewer also
    scored; only those measure habits. `evidence`: the same, weighted by how much each
    comparison can tell (see docs/scoring.md). `brief_leniency`/`brief_scale`: this brief
    alone, without workspace evidence (the figures later briefs pool). `group`: the panel
    group, 1 = the main one, 0 = shares no scored category of a candidate with anyone.
    """

    interviewer_id: str
    leniency: float
    scale: float
    scale_estimated: bool
    scorecards: int
    scores: int
    compared_scores: int
    evidence: float
    group: int
    brief_leniency: float
    brief_scale: float
    workspace_leniency: float | None
    workspace_evidence: float
    summary: str


@dataclass(frozen=True)
class ShortlistResult:
    """The ranked entries with the calibration that produced them."""

    entries: list[ShortlistEntry]
    interviewers: list[InterviewerCalibration]
    groups: int
    panel_mean: float


def default_policy(track: str, is_genai: bool) -> BriefPolicy:
    """The starting policy for a new brief of `track` (hiring.rubric has the numbers)."""
    weights, floors = default_weights_and_floors(track, is_genai)
    return BriefPolicy(weights=weights, floors=floors, is_genai=is_genai)


def _round(values: FloatArray) -> FloatArray:
    # + 0.0 turns -0.0 into 0.0 so the output never shows a negative zero.
    return np.round(values, OUTPUT_DECIMALS) + 0.0


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


# A set of categories travels through the per-entry loop as a 5-bit mask (bit n = the n-th
# code); these tables turn a mask into its codes and its phrase without a loop per entry.
_BITS: Final = np.array([1 << n for n in range(_CATEGORIES)], dtype=np.int64)
_CODES_BY_MASK: Final[tuple[tuple[str, ...], ...]] = tuple(
    tuple(code for n, code in enumerate(CATEGORY_CODES) if mask >> n & 1)
    for mask in range(1 << _CATEGORIES)
)
_PHRASE_BY_MASK: Final[tuple[str, ...]] = tuple(
    _join_phrases(codes) if codes else "" for codes in _CODES_BY_MASK
)
_ALL_CATEGORIES: Final = (1 << _CATEGORIES) - 1


def _masks(flags: BoolArray) -> list[int]:
    return (flags.astype(np.int64) @ _BITS).tolist()


class _Ranking:
    """The ranking rules applied to one matrix of category means (submissions x categories).

    Used for the calibrated means, for the raw means (the ranking without calibration) and by
    `rank_by_category_means`, so the three can never follow different rules.
    """

    def __init__(
        self,
        means: FloatArray,
        scorecards: IntArray,
        id_order: IntArray,
        policy: BriefPolicy,
        overridden: BoolArray,
    ) -> None:
        total_weight = sum(policy.weights[code] for code in CATEGORY_CODES)
        weights = np.array([policy.weights[code] / total_weight for code in CATEGORY_CODES])
        floors = np.array(
            [np.nan if floor is None else float(floor) for floor in policy.floors.values()]
        )
        self.scored = ~np.isnan(means)
        # A category nobody scored counts as 0 everywhere in the ranking (weighted score and
        # balance alike), so leaving it blank can never beat scoring it, even at 0.
        self.values = np.where(self.scored, means, 0.0)
        self.shown = _round(self.values)
        weighted = self.values @ weights
        self.weakest = self.values.min(axis=1)
        penalty = BALANCE_PENALTY_FACTOR * (self.values.mean(axis=1) - self.weakest)
        self.weighted = _round(weighted)
        self.penalty = _round(penalty)
        self.balanced = _round(np.maximum(0.0, weighted - penalty))
        has_floor = ~np.isnan(floors)
        with np.errstate(invalid="ignore"):
            # Compare at the shown precision: calibration can turn an exact 3 into
            # 2.9999999999999996, which must not breach a floor of 3 while 3.0 is displayed.
            self.below_floor = has_floor & ((self.shown < floors) | ~self.scored)
        breached = self.below_floor.any(axis=1)
        self.floor_overridden = breached & overridden
        self.excluded = breached & ~overridden
        # Rounded figures on purpose: two candidates showing the same balanced score are a
        # tie, even if float arithmetic left them 1e-16 apart. lexsort: last key first.
        self.order = np.lexsort(
            (id_order, -scorecards, -self.weighted, -self.balanced, self.excluded)
        )
        self.rank = np.empty(len(means), dtype=np.int64)
        self.rank[self.order] = np.arange(1, len(means) + 1)


def _reason(
    *,
    top_mask: int,
    top_value: float,
    weakest_mask: int,
    weakest_value: float,
    weakest_unscored: bool,
    penalty: float,
    below_floor: tuple[str, ...],
    means: Mapping[str, float | None],
    policy: BriefPolicy,
    floor_overridden: bool,
    missing_mask: int,
    below_mask: int,
    debrief_mask: int,
    raw_weighted: float,
    weighted: float,
    group_note: str,
) -> str:
    """A deterministic sentence built from the flags, strongest point first.

    Sets of categories arrive as masks (see _CODES_BY_MASK); `top_mask` is 0 when nothing
    was scored. Every figure arrives rounded like the entry's own numbers, so the sentence
    and the numbers agree.
    """
    parts: list[str] = []
    if not top_mask:
        parts.append("No category has been scored yet")
    else:
        if top_mask == _ALL_CATEGORIES:
            parts.append(f"Even profile at {_format_number(top_value)}")
        else:
            parts.append(f"Strongest on {_PHRASE_BY_MASK[top_mask]} ({_format_number(top_value)})")
        if penalty > 0:
            # A weakest category nobody scored is described by the "not scored" part below.
            shown = "not scored" if weakest_unscored else _format_number(weakest_value)
            parts.append(
                f"weakest on {_PHRASE_BY_MASK[weakest_mask]} ({shown}), which lowers the "
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
    unexplained_missing = missing_mask & ~below_mask
    if unexplained_missing:
        verbs = (
            "was not scored and counts"
            if len(_CODES_BY_MASK[unexplained_missing]) == 1
            else "were not scored and count"
        )
        parts.append(f"{_PHRASE_BY_MASK[unexplained_missing]} {verbs} as 0")
    if debrief_mask:
        parts.append(f"interviewers disagree on {_PHRASE_BY_MASK[debrief_mask]}: needs a debrief")
    # Both figures are rounded to 3 decimals; the tolerance keeps 0.1 apart at 0.1.
    if abs(weighted - raw_weighted) >= CALIBRATION_NOTE_POINTS - 1e-9:
        direction = "raised" if weighted > raw_weighted else "lowered"
        parts.append(
            f"calibrating for interviewers' habits {direction} the weighted score from "
            f"{_format_number(raw_weighted)} to {_format_number(weighted)}"
        )
    if group_note:
        parts.append(group_note)
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def _group_note(group: int, groups: int, workspace: bool, scorecards: int) -> str:
    """What a reader must know when a candidate's panel cannot be compared with the main one."""
    if groups == 0 or group == 1:
        # Nobody shares a candidate anywhere (nothing to say per candidate), or main panel.
        return ""
    earlier = "; their habits on earlier briefs are applied" if workspace else ""
    if group == 0:
        who = "its interviewer shares" if scorecards == 1 else "its interviewers share"
        tail = "" if workspace else ", so their habits could not be measured"
        return f"{who} no scored candidate with the rest of the panel{tail}{earlier}"
    return (
        "its interviewers share no scored candidate with the main panel, so their habits are "
        f"measured only among themselves{earlier}"
    )


def _interviewer_summary(
    *,
    leniency: float,
    scale: float,
    scale_estimated: bool,
    compared: int,
    workspace_scores: int,
) -> str:
    """One sentence for the page: "Scores about 0.6 above the panel, from 14 compared scores."."""
    if compared == 0 and workspace_scores == 0:
        return (
            "Shares no scored candidate with another interviewer on this brief, so their "
            "habits could not be measured; their scores count as given."
        )
    rounded = round(leniency, 1) + 0.0
    if rounded == 0:
        habit = "Scores in line with the panel"
    else:
        side = "above" if rounded > 0 else "below"
        habit = f"Scores about {abs(rounded)} {side} the panel"
    here = f"{compared} compared score{'' if compared == 1 else 's'}"
    if workspace_scores:
        evidence = f"from {here} on this brief and about {workspace_scores} on earlier briefs"
    else:
        evidence = f"from {here}"
    sentence = f"{habit}, {evidence}"
    spread = round(scale, 1)
    if scale_estimated and spread > 1:
        sentence += f"; spreads scores {spread} times as widely as the panel"
    elif scale_estimated and spread < 1:
        sentence += f"; keeps scores closer together than the panel ({spread} times its spread)"
    return sentence + "."


class _Inputs:
    """The scorecards as arrays: one row per scorecard, submissions and interviewers indexed."""

    def __init__(self, scorecards: Scorecards) -> None:
        submission_index: dict[str, int] = {}
        card_submission: list[int] = []
        card_interviewer_ids: list[str]
        seen_pairs: set[tuple[str, str]]
        if isinstance(scorecards, ScorecardColumns):
            card_interviewer_ids = scorecards.interviewer_ids
            seen_pairs = set(zip(scorecards.submission_ids, card_interviewer_ids, strict=True))
            if len(seen_pairs) != len(scorecards):
                counted: set[tuple[str, str]] = set()
                for pair in zip(scorecards.submission_ids, card_interviewer_ids, strict=True):
                    if pair in counted:
                        raise ValueError(
                            f"interviewer {pair[1]} has more than one scorecard for "
                            f"submission {pair[0]}"
                        )
                    counted.add(pair)
            for submission_id in scorecards.submission_ids:
                index = submission_index.get(submission_id)
                if index is None:
                    index = submission_index[submission_id] = len(submission_index)
                card_submission.append(index)
            matrix = scorecards.values
        else:
            card_interviewer_ids = []
            values: list[tuple[int | None, ...]] = []
            seen_pairs = set()
            for card in scorecards:
                pair = (card.submission_id, card.interviewer_id)
                if pair in seen_pairs:
                    raise ValueError(
                        f"interviewer {card.interviewer_id} has more than one scorecard for "
                        f"submission {card.submission_id}"
                    )
                seen_pairs.add(pair)
                index = submission_index.get(card.submission_id)
                if index is None:
                    index = submission_index[card.submission_id] = len(submission_index)
                card_submission.append(index)
                card_interviewer_ids.append(card.interviewer_id)
                values.append(card._values)
            matrix = np.array(values, dtype=np.float64).reshape(len(values), _CATEGORIES)
        self.submission_ids = list(submission_index)
        # Interviewers indexed in id order, so anything that breaks ties by index (the panel
        # group numbers) does not depend on the order the scorecards arrived in.
        self.interviewer_ids = sorted(set(card_interviewer_ids))
        interviewer_index = {iv: n for n, iv in enumerate(self.interviewer_ids)}
        self.card_submission = np.array(card_submission, dtype=np.int64)
        self.card_interviewer = np.array(
            [interviewer_index[iv] for iv in card_interviewer_ids], dtype=np.int64
        )
        rows, categories = np.nonzero(~np.isnan(matrix))
        submissions = len(self.submission_ids)
        self.observations = Observations(
            interviewer=self.card_interviewer[rows],
            cell=self.card_submission[rows] * _CATEGORIES + categories,
            score=matrix[rows, categories],
            interviewers=len(self.interviewer_ids),
            cells=submissions * _CATEGORIES,
            categories=_CATEGORIES,
        )
        self.scorecards = np.bincount(self.card_submission, minlength=submissions)
        self.interviewer_scorecards = np.bincount(
            self.card_interviewer, minlength=len(self.interviewer_ids)
        )
        by_id = sorted(range(submissions), key=self.submission_ids.__getitem__)
        self.id_order = np.empty(submissions, dtype=np.int64)
        self.id_order[by_id] = np.arange(submissions)


def _prior_arrays(
    interviewer_ids: Sequence[str], habits: Mapping[str, InterviewerHabit] | None
) -> tuple[FloatArray, FloatArray]:
    leniency = np.zeros(len(interviewer_ids))
    weight = np.zeros(len(interviewer_ids))
    for index, interviewer in enumerate(interviewer_ids):
        habit = (habits or {}).get(interviewer)
        if habit is not None and habit.evidence > 0:
            leniency[index] = habit.leniency
            weight[index] = WORKSPACE_EVIDENCE_SHARE * min(habit.evidence, WORKSPACE_EVIDENCE_CAP)
    return leniency, weight


def _cell_spread(obs: Observations) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per cell: sum and count of the raw scores, and the highest minus the lowest."""
    count = np.bincount(obs.cell, minlength=obs.cells)
    total = np.bincount(obs.cell, weights=obs.score, minlength=obs.cells)
    high = np.full(obs.cells, -np.inf)
    low = np.full(obs.cells, np.inf)
    np.maximum.at(high, obs.cell, obs.score)
    np.minimum.at(low, obs.cell, obs.score)
    return total, count.astype(np.float64), np.where(count > 1, high - low, 0.0)


def compute_shortlist_result(
    scorecards: Scorecards,
    policy: BriefPolicy,
    overrides: Collection[str] = (),
    workspace_habits: Mapping[str, InterviewerHabit] | None = None,
) -> ShortlistResult:
    """Rank every submission that has at least one scorecard, best first (rank 1..n).

    `overrides` holds submission ids whose floor exclusion an executive lifted: they keep
    their `below_floor` flag but compete in the top group; ids without a breach are ignored.
    `workspace_habits` (optional) carries interviewers' leniency measured on the client's
    earlier briefs; it informs the estimate where this brief has little evidence.
    One pass over the scorecards builds arrays; the calibration solves one small linear
    system per round (one unknown per interviewer); everything per submission is a vector
    operation except the reason sentence.
    """
    if not len(scorecards):
        return ShortlistResult(entries=[], interviewers=[], groups=0, panel_mean=0.0)
    inputs = _Inputs(scorecards)
    obs = inputs.observations
    prior_leniency, prior_weight = _prior_arrays(inputs.interviewer_ids, workspace_habits)
    found: Estimate = estimate(obs, prior_leniency, prior_weight)
    submissions = len(inputs.submission_ids)

    raw_total, raw_count, cell_range = _cell_spread(obs)
    with np.errstate(invalid="ignore", divide="ignore"):
        raw_means = (raw_total / raw_count).reshape(submissions, _CATEGORIES)
    calibrated = np.clip(found.level, SCORE_MIN, SCORE_MAX).reshape(submissions, _CATEGORIES)
    overridden_ids = frozenset(overrides)
    overridden = np.array([sid in overridden_ids for sid in inputs.submission_ids])
    ranking = _Ranking(calibrated, inputs.scorecards, inputs.id_order, policy, overridden)
    plain = _Ranking(raw_means, inputs.scorecards, inputs.id_order, policy, overridden)

    needs_debrief = (cell_range >= DISAGREEMENT_POINTS).reshape(submissions, _CATEGORIES)
    effective = found.effective_scorecards.reshape(submissions, _CATEGORIES)
    scored_count = ranking.scored.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_effective = np.where(
            scored_count > 0, (effective * ranking.scored).sum(axis=1) / scored_count, 0.0
        )
    confidence = _round(
        mean_effective
        / (mean_effective + 1)
        * scored_count
        / _CATEGORIES
        * (1 - DEBRIEF_CONFIDENCE_PENALTY * needs_debrief.sum(axis=1))
    )

    # Panel group per submission: the group most of its scores come from (ties: lower
    # number; group 0, "not compared", only when it has the most).
    score_group = found.group[obs.interviewer]
    score_submission = obs.cell // _CATEGORIES
    columns = found.groups + 1
    tally = np.bincount(
        score_submission * columns + np.where(score_group == 0, found.groups, score_group - 1),
        minlength=submissions * columns,
    ).reshape(submissions, columns)
    group_column = tally.argmax(axis=1)
    has_scores = tally.sum(axis=1) > 0
    panel_group = np.where(group_column == found.groups, 0, group_column + 1)
    with_workspace = prior_weight > 0
    workspace_scored = np.bincount(
        score_submission, weights=with_workspace[obs.interviewer], minlength=submissions
    )
    entries = _entries(
        inputs=inputs,
        policy=policy,
        ranking=ranking,
        plain=plain,
        needs_debrief=needs_debrief,
        confidence=confidence,
        panel_group=panel_group,
        has_scores=has_scores,
        groups=found.groups,
        workspace_scored=workspace_scored > 0,
    )
    return ShortlistResult(
        entries=entries,
        interviewers=_interviewer_rows(inputs, found, prior_leniency, prior_weight),
        groups=found.groups,
        panel_mean=float(_round(np.array(found.panel_mean))),
    )


def _entries(
    *,
    inputs: _Inputs,
    policy: BriefPolicy,
    ranking: _Ranking,
    plain: _Ranking,
    needs_debrief: BoolArray,
    confidence: FloatArray,
    panel_group: IntArray,
    has_scores: BoolArray,
    groups: int,
    workspace_scored: BoolArray,
) -> list[ShortlistEntry]:
    """Build the entries in rank order: the one per-submission Python loop of the engine,
    so everything it can get from arrays (figures, category sets as masks) comes ready."""
    scored = ranking.scored
    shown = ranking.shown
    shown_or_none = shown.astype(object)
    shown_or_none[~scored] = None
    mean_rows = shown_or_none.tolist()
    top_value = np.where(scored, shown, -np.inf).max(axis=1)
    top_masks = _masks(scored & (shown == top_value[:, None]))
    weakest_flags = ranking.values == ranking.weakest[:, None]
    weakest_masks = _masks(weakest_flags)
    weakest_unscored = (~(weakest_flags & scored).any(axis=1)).tolist()
    missing_masks = _masks(~scored)
    below_masks = _masks(ranking.below_floor)
    debrief_masks = _masks(needs_debrief)
    top_values = top_value.tolist()
    weakest_shown = _round(ranking.weakest).tolist()
    weighted = ranking.weighted.tolist()
    balanced = ranking.balanced.tolist()
    penalty = ranking.penalty.tolist()
    overridden = ranking.floor_overridden.tolist()
    raw_weighted = plain.weighted.tolist()
    plain_rank = plain.rank.tolist()
    plain_balanced = plain.balanced.tolist()
    confidence_list = confidence.tolist()
    group_list = panel_group.tolist()
    has_scores_list = has_scores.tolist()
    workspace_list = workspace_scored.tolist()
    scorecards = inputs.scorecards.tolist()
    entries: list[ShortlistEntry] = []
    for rank, index in enumerate(ranking.order.tolist(), start=1):
        category_means = dict(zip(CATEGORY_CODES, mean_rows[index], strict=True))
        below = _CODES_BY_MASK[below_masks[index]]
        group = group_list[index] if has_scores_list[index] else None
        reason = _reason(
            top_mask=top_masks[index] if has_scores_list[index] else 0,
            top_value=top_values[index],
            weakest_mask=weakest_masks[index],
            weakest_value=weakest_shown[index],
            weakest_unscored=weakest_unscored[index],
            penalty=penalty[index],
            below_floor=below,
            means=category_means,
            policy=policy,
            floor_overridden=overridden[index],
            missing_mask=missing_masks[index],
            below_mask=below_masks[index],
            debrief_mask=debrief_masks[index],
            raw_weighted=raw_weighted[index],
            weighted=weighted[index],
            group_note=(
                ""
                if group is None
                else _group_note(group, groups, workspace_list[index], scorecards[index])
            ),
        )
        entries.append(
            ShortlistEntry(
                submission_id=inputs.submission_ids[index],
                rank=rank,
                weighted_score=weighted[index],
                balanced_score=balanced[index],
                category_means=category_means,
                below_floor=below,
                floor_overridden=overridden[index],
                missing=_CODES_BY_MASK[missing_masks[index]],
                needs_debrief=_CODES_BY_MASK[debrief_masks[index]],
                confidence=confidence_list[index],
                scorecard_count=scorecards[index],
                reason=reason,
                uncalibrated_rank=plain_rank[index],
                uncalibrated_score=plain_balanced[index],
                panel_group=group,
            )
        )
    return entries


def _interviewer_rows(
    inputs: _Inputs, found: Estimate, prior_leniency: FloatArray, prior_weight: FloatArray
) -> list[InterviewerCalibration]:
    rows: list[InterviewerCalibration] = []
    leniency = _round(found.leniency).tolist()
    scale = _round(found.scale).tolist()
    brief_leniency = _round(found.brief_leniency).tolist()
    brief_scale = _round(found.brief_scale).tolist()
    evidence = _round(found.evidence).tolist()
    prior_shown = _round(prior_leniency).tolist()
    weight = _round(prior_weight).tolist()
    for index, interviewer in enumerate(inputs.interviewer_ids):
        if not found.scores[index]:
            continue  # only empty scorecards: nothing to say about their scoring
        compared = int(found.compared_scores[index])
        workspace = weight[index] > 0
        rows.append(
            InterviewerCalibration(
                interviewer_id=interviewer,
                leniency=leniency[index],
                scale=scale[index],
                scale_estimated=bool(found.scale_estimated[index]),
                scorecards=int(inputs.interviewer_scorecards[index]),
                scores=int(found.scores[index]),
                compared_scores=compared,
                evidence=evidence[index],
                group=int(found.group[index]),
                brief_leniency=brief_leniency[index],
                brief_scale=brief_scale[index],
                workspace_leniency=prior_shown[index] if workspace else None,
                workspace_evidence=weight[index],
                summary=_interviewer_summary(
                    leniency=leniency[index],
                    scale=scale[index],
                    scale_estimated=bool(found.scale_estimated[index]),
                    compared=compared,
                    workspace_scores=round(weight[index]),
                ),
            )
        )
    # Main panel first, then the other groups, then interviewers nobody can be compared with.
    rows.sort(key=lambda row: (row.group == 0, row.group, row.interviewer_id))
    return rows


def compute_shortlist(
    scorecards: Sequence[ScorecardInput],
    policy: BriefPolicy,
    overrides: Collection[str] = (),
    workspace_habits: Mapping[str, InterviewerHabit] | None = None,
) -> list[ShortlistEntry]:
    """The ranked entries of `compute_shortlist_result` alone."""
    return compute_shortlist_result(scorecards, policy, overrides, workspace_habits).entries


def rank_by_category_means(
    means: Mapping[str, Sequence[float | None]],
    policy: BriefPolicy,
    overrides: Collection[str] = (),
    scorecard_counts: Mapping[str, int] | None = None,
) -> list[str]:
    """Submission ids in the order the shortlist's rules give to these category means.

    `means` maps a submission id to its five means in code order (None = not scored). The
    benchmark ranks true levels, plain means and an oracle's estimate with it, under exactly
    the rules the engine ranks its own calibrated means by.
    """
    ids = list(means)
    if not ids:
        return []
    matrix = np.array([list(means[sid]) for sid in ids], dtype=np.float64).reshape(
        len(ids), _CATEGORIES
    )
    counts = np.array([(scorecard_counts or {}).get(sid, 1) for sid in ids], dtype=np.int64)
    by_id = sorted(range(len(ids)), key=ids.__getitem__)
    id_order = np.empty(len(ids), dtype=np.int64)
    id_order[by_id] = np.arange(len(ids))
    overridden_ids = frozenset(overrides)
    overridden = np.array([sid in overridden_ids for sid in ids])
    ranking = _Ranking(matrix, counts, id_order, policy, overridden)
    return [ids[index] for index in ranking.order.tolist()]


def workspace_habits_pool(
    estimates: Iterable[tuple[str, float, float]],
) -> dict[str, InterviewerHabit]:
    """Pool brief-level estimates (interviewer id, brief-alone leniency, evidence) into one
    habit per interviewer: the workspace evidence for the next brief.

    Each brief's leniency was shrunk by evidence / (evidence + k); the pool undoes that
    shrinkage before averaging, weighting each brief by its evidence, so ten briefs that each
    saw an interviewer score 0.5 high pool to about 0.5, not to ten shrunk figures' mean. The
    shrinkage is applied once again, in the new brief, through the capped prior weight.
    """
    sums: dict[str, float] = {}
    totals: dict[str, float] = {}
    for interviewer, leniency, evidence in estimates:
        if evidence <= 0 or not math.isfinite(leniency):
            continue
        sums[interviewer] = sums.get(interviewer, 0.0) + leniency * (
            evidence + CALIBRATION_SHRINKAGE_SCORES
        )
        totals[interviewer] = totals.get(interviewer, 0.0) + evidence
    return {
        interviewer: InterviewerHabit(
            leniency=round(sums[interviewer] / total, OUTPUT_DECIMALS) + 0.0,
            evidence=round(total, OUTPUT_DECIMALS),
        )
        for interviewer, total in sorted(totals.items())
    }


def inputs_fingerprint(
    scorecards: Scorecards,
    policy: BriefPolicy,
    overrides: Collection[str] = (),
    workspace_habits: Mapping[str, InterviewerHabit] | None = None,
) -> str:
    """sha256 hex of a canonical JSON of everything that can change the shortlist.

    Scorecards are sorted so the order the database returned them in does not matter;
    overrides are sorted and de-duplicated; weights are written as floats so 1 and 1.0 agree;
    workspace habits are sorted by interviewer (an empty mapping is the same as none).
    METHOD_VERSION is included so a change to the method invalidates stored results.
    """
    # (submission, interviewer) identifies a scorecard (the engine refuses a second one), so
    # sorting on it is canonical for every input the engine accepts.
    cards: Iterable[tuple[str, str, tuple[int | None, ...], str | None]]
    if isinstance(scorecards, ScorecardColumns):
        cards = zip(
            scorecards.submission_ids,
            scorecards.interviewer_ids,
            scorecards.value_tuples(),
            scorecards.recommendations,
            strict=True,
        )
    else:
        cards = (
            (card.submission_id, card.interviewer_id, card._values, card.recommendation)
            for card in scorecards
        )
    # Plain tuples sort on (submission, interviewer) first, which is unique, so the scores
    # (where None could not be compared) are never reached; JSON writes them as arrays.
    rows = sorted(cards)
    payload = {
        "method": METHOD_VERSION,
        "policy": {
            "weights": [policy.weights[code] for code in CATEGORY_CODES],
            "floors": [policy.floors[code] for code in CATEGORY_CODES],
            "is_genai": policy.is_genai,
        },
        "scorecards": rows,
        "overrides": sorted(set(overrides)),
        "workspace_habits": [
            [interviewer, habit.leniency, habit.evidence]
            for interviewer, habit in sorted((workspace_habits or {}).items())
        ],
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
