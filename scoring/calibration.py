"""Joint calibration: candidates' category levels and interviewers' habits, estimated together.

Pure on purpose, like the engine that calls it (scoring/engine.py): numpy, no Django, no I/O.
docs/scoring.md ("1. Calibration") explains the model and works an example by hand.

Every score is read as

    score - m = leniency[interviewer] + scale[interviewer] * (level[candidate, category] - m)
                + noise

where m is the mean of all scores given on the brief. Leniency says how many points above
(or below) the rest of the panel an interviewer scores the same candidates; scale says how
widely they use the scale compared with the panel (1 = like the panel). Both are measured
only where another interviewer scored the same category of the same candidate: a score
nobody else can be compared with says nothing about the habits of the one who gave it,
whatever candidates that interviewer happened to see. That is what makes the estimate hold
when candidates are routed to interviewers by strength, where comparing each interviewer's
mean with the panel's mean mistakes strong candidates for a lenient interviewer.

Estimation, for fixed scales, minimises

    sum over scores (score - m - leniency - scale * (level - m))^2
      + sum over interviewers  k * leniency^2 + w * (leniency - prior leniency)^2

exactly (the levels are profiled out, leaving one small linear system with one unknown per
interviewer). k is CALIBRATION_SHRINKAGE_SCORES; w is the weight of the workspace's evidence
where the caller passes it (0 without). So an interviewer with little evidence keeps close to
no adjustment, and when the panel falls into groups that share no candidate, the leniencies
of each group average zero: each group is calibrated within itself and the groups are
compared as they scored.

Scales are estimated in one round, and only for interviewers with compared scores on at
least SCALE_MIN_SUBMISSIONS candidates: the slope of their (leniency-corrected) scores
against the candidates' levels, shrunk toward 1 by SCALE_SHRINKAGE, kept within
SCALE_BOUNDS, then divided by the geometric mean of the estimated scales of their group, so
the panel as a whole keeps the meaning of the scale. Leniency and levels are then solved
again with those scales.
"""

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

# Leniency is shrunk as if the interviewer had this many more compared scores showing no
# habit (the unit is the evidence defined in `_Design.evidence`).
CALIBRATION_SHRINKAGE_SCORES: Final = 3.0
# A scale is estimated only from compared scores on at least this many candidates.
SCALE_MIN_SUBMISSIONS: Final = 4
# Scale shrinkage toward 1: as if this many more compared scores, on candidates one point
# from the panel mean, had shown the panel's own spread.
SCALE_SHRINKAGE: Final = 20.0
# An estimated scale never goes outside these bounds (a negative or vanishing slope would
# turn an interviewer's scores upside down or blow them up).
SCALE_BOUNDS: Final = (0.25, 4.0)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Observations:
    """The non-blank scores of one brief as parallel arrays (one element per score).

    `cell` numbers a (submission, category) pair: submission index * categories + category.
    """

    interviewer: IntArray
    cell: IntArray
    score: FloatArray
    interviewers: int
    cells: int
    categories: int


@dataclass(frozen=True)
class Estimate:
    """What the calibration found; arrays are indexed by interviewer or by cell."""

    panel_mean: float
    level: FloatArray  # per cell; NaN where nobody scored it
    leniency: FloatArray
    scale: FloatArray
    scale_estimated: BoolArray
    # Estimates from the brief alone (equal to leniency/scale when no prior was given).
    brief_leniency: FloatArray
    brief_scale: FloatArray
    evidence: FloatArray  # effective compared scores per interviewer (see _Design.evidence)
    compared_scores: IntArray  # scores on a cell that another interviewer also scored
    scores: IntArray  # all scores each interviewer gave
    group: IntArray  # panel group per interviewer, 1 = largest; 0 = shares no cell
    groups: int
    # Effective number of scorecards behind each cell's level, in units of one interviewer
    # with a perfectly known habit (used by the engine's confidence).
    effective_scorecards: FloatArray


class _Design:
    """The structure of the compared scores, built once per brief and reused by every solve."""

    def __init__(self, obs: Observations) -> None:
        self.obs = obs
        n = obs.interviewers
        count = np.bincount(obs.cell, minlength=obs.cells)
        shared = np.flatnonzero(count[obs.cell] >= 2)
        # Positions (into obs) of the compared scores, grouped by cell.
        self.position = shared[np.argsort(obs.cell[shared], kind="stable")]
        self.interviewer = obs.interviewer[self.position]
        self.cell = obs.cell[self.position]
        # Every ordered pair of compared scores in the same cell (a score with itself too).
        starts = np.searchsorted(self.cell, self.cell, side="left")
        sizes = count[self.cell]
        self.pair_left = np.repeat(np.arange(self.cell.size), sizes)
        offsets = np.arange(self.pair_left.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        self.pair_right = starts[self.pair_left] + offsets
        self.compared_scores = np.bincount(self.interviewer, minlength=n)
        # The linear system only needs interviewers with compared scores: a brief where
        # hundreds of people each scored one candidate alone stays a small system.
        self.active = np.flatnonzero(self.compared_scores)
        slot = np.full(n, -1, dtype=np.int64)
        slot[self.active] = np.arange(self.active.size)
        self.slot = slot[self.interviewer]
        size = self.active.size
        self.pair_code = self.slot[self.pair_left] * size + self.slot[self.pair_right]
        # Distinct candidates among each interviewer's compared scores (scale support).
        submissions = obs.cells // obs.categories
        seen = np.unique(self.interviewer * submissions + self.cell // obs.categories)
        self.compared_submissions = np.bincount(seen // submissions, minlength=n)
        linked = np.bincount(self.pair_code, minlength=size * size).reshape(size, size)
        self.scores = np.bincount(obs.interviewer, minlength=n)
        self.group = np.zeros(n, dtype=np.int64)
        active_group, self.groups = _groups(linked, self.scores[self.active])
        self.group[self.active] = active_group

    def solve_leniency(
        self, centred: FloatArray, scale: FloatArray, shrinkage: FloatArray, pull: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Exact leniency for fixed scales: (E'PE + S) l = E'P y + W p, levels profiled out.

        S is the total shrinkage per interviewer (k + W), W p the pull toward the prior:
        k holds leniency toward 0, the workspace weight W toward the prior leniency p. An
        interviewer without compared scores has no row in E'PE: l = W p / (k + W).

        Returns (leniency, evidence). Evidence, the diagonal of E'PE, is each interviewer's
        sum over compared scores of 1 - scale^2 / (sum of scale^2 over the cell): with equal
        scales a score in a cell of k interviewers counts (k - 1) / k, because part of each
        score went into the level it is compared with.
        """
        n = self.obs.interviewers
        size = self.active.size
        leniency = pull / shrinkage
        evidence = np.zeros(n)
        if not size:
            return leniency, evidence
        own = scale[self.interviewer]
        cells = self.obs.cells
        weight_sum = np.bincount(self.cell, weights=own * own, minlength=cells)[self.cell]
        pair_weight = own[self.pair_left] * own[self.pair_right] / weight_sum[self.pair_left]
        coupling = np.bincount(self.pair_code, weights=pair_weight, minlength=size * size)
        coupling = coupling.reshape(size, size)
        compared = self.compared_scores[self.active].astype(np.float64)
        evidence[self.active] = compared - np.diag(coupling)
        information = np.diag(compared) - coupling
        scores = centred[self.position]
        weighted = np.bincount(self.cell, weights=own * scores, minlength=cells)[self.cell]
        right = np.bincount(self.slot, weights=scores - own * weighted / weight_sum, minlength=size)
        active = self.active
        leniency[active] = np.linalg.solve(
            information + np.diag(shrinkage[active]), right + pull[active]
        )
        return leniency, evidence

    def fit_scale(self, centred: FloatArray, leniency: FloatArray) -> tuple[FloatArray, BoolArray]:
        """One round of scale estimates from levels computed with scale 1 everywhere.

        Returns (scale, estimated); scale is 1.0 where the data does not support one.
        """
        n = self.obs.interviewers
        scale = np.ones(n)
        estimated = np.zeros(n, dtype=np.bool_)
        supported = (self.compared_submissions >= SCALE_MIN_SUBMISSIONS) & (self.group > 0)
        if supported.sum() < 2:
            return scale, estimated
        corrected = centred[self.position] - leniency[self.interviewer]
        cells = self.obs.cells
        cell_sum = np.bincount(self.cell, weights=corrected, minlength=cells)
        cell_count = np.bincount(self.cell, minlength=cells)
        level = cell_sum[self.cell] / cell_count[self.cell]
        slope_top = np.bincount(self.interviewer, weights=level * corrected, minlength=n)
        slope_bottom = np.bincount(self.interviewer, weights=level * level, minlength=n)
        raw = np.clip(
            (slope_top + SCALE_SHRINKAGE) / (slope_bottom + SCALE_SHRINKAGE), *SCALE_BOUNDS
        )
        for number in np.unique(self.group[supported]).tolist():
            members = supported & (self.group == number)
            if members.sum() < 2:
                continue  # a single estimated scale in a group has nothing to be relative to
            logs = np.log(raw[members])
            scale[members] = np.clip(np.exp(logs - logs.mean()), *SCALE_BOUNDS)
            estimated |= members
        return scale, estimated


def _groups(linked: IntArray, scores: IntArray) -> tuple[IntArray, int]:
    """Connected groups of interviewers that share a scored cell, 1 = most scores given.

    Called with the interviewers that have compared scores only (the others are group 0).
    Ties go to the lower interviewer index, which the engine assigns in interviewer-id
    order, so the numbering is deterministic.
    """
    n = len(scores)
    parent = list(range(n))

    def find(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    left, right = np.nonzero(linked)
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[max(root_a, root_b)] = min(root_a, root_b)
    members: dict[int, list[int]] = {}
    for node in range(n):
        members.setdefault(find(node), []).append(node)
    ordered = sorted(members.values(), key=lambda nodes: (-int(scores[nodes].sum()), nodes[0]))
    group = np.zeros(n, dtype=np.int64)
    for number, nodes in enumerate(ordered, start=1):
        group[nodes] = number
    return group, len(ordered)


def estimate(
    obs: Observations,
    prior_leniency: FloatArray | None = None,
    prior_weight: FloatArray | None = None,
) -> Estimate:
    """Calibrate one brief. `prior_*` (per interviewer) carry the workspace's evidence:
    the leniency measured on earlier briefs and how many compared scores it counts as."""
    n = obs.interviewers
    if obs.score.size == 0:
        zeros = np.zeros(n)
        counts = np.zeros(n, dtype=np.int64)
        return Estimate(
            panel_mean=0.0,
            level=np.full(obs.cells, np.nan),
            leniency=zeros,
            scale=np.ones(n),
            scale_estimated=np.zeros(n, dtype=np.bool_),
            brief_leniency=zeros,
            brief_scale=np.ones(n),
            evidence=zeros,
            compared_scores=counts,
            scores=counts,
            group=counts,
            groups=0,
            effective_scorecards=np.zeros(obs.cells),
        )
    panel_mean = float(obs.score.mean())
    centred = obs.score - panel_mean
    design = _Design(obs)
    base = np.full(n, CALIBRATION_SHRINKAGE_SCORES)

    def fit(
        shrinkage: FloatArray, pull: FloatArray
    ) -> tuple[FloatArray, FloatArray, BoolArray, FloatArray]:
        leniency, evidence = design.solve_leniency(centred, np.ones(n), shrinkage, pull)
        scale, estimated = design.fit_scale(centred, leniency)
        if estimated.any():
            leniency, evidence = design.solve_leniency(centred, scale, shrinkage, pull)
        return leniency, scale, estimated, evidence

    brief_leniency, brief_scale, brief_estimated, brief_evidence = fit(base, np.zeros(n))
    if prior_leniency is not None and prior_weight is not None and np.any(prior_weight > 0):
        shrinkage = base + prior_weight
        leniency, scale, estimated, evidence = fit(shrinkage, prior_weight * prior_leniency)
    else:
        shrinkage = base
        leniency, scale, estimated, evidence = (
            brief_leniency,
            brief_scale,
            brief_estimated,
            brief_evidence,
        )

    own = scale[obs.interviewer]
    weight_sum = np.bincount(obs.cell, weights=own * own, minlength=obs.cells)
    weighted = np.bincount(
        obs.cell, weights=own * (centred - leniency[obs.interviewer]), minlength=obs.cells
    )
    # Variance of a cell's level in units of one score's noise: the noise of its scores plus
    # the uncertainty of each interviewer's leniency, taken as 1 / (evidence + shrinkage).
    leniency_variance = 1.0 / (evidence + shrinkage)
    habit_part = np.bincount(
        obs.cell, weights=own * own * leniency_variance[obs.interviewer], minlength=obs.cells
    )
    scored = weight_sum > 0
    level = np.full(obs.cells, np.nan)
    level[scored] = panel_mean + weighted[scored] / weight_sum[scored]
    effective = np.zeros(obs.cells)
    total = weight_sum[scored]
    effective[scored] = 1.0 / (1.0 / total + habit_part[scored] / (total * total))
    return Estimate(
        panel_mean=panel_mean,
        level=level,
        leniency=leniency,
        scale=scale,
        scale_estimated=estimated,
        brief_leniency=brief_leniency,
        brief_scale=brief_scale,
        evidence=evidence,
        compared_scores=design.compared_scores,
        scores=design.scores,
        group=design.group,
        groups=design.groups,
        effective_scorecards=effective,
    )
