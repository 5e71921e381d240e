"""Unit tests of the pure shortlist engine (scoring/engine.py): no database, no Django.

Expected figures are worked out by hand in the comments; the first tests check the worked
examples of docs/scoring.md, so the documentation cannot drift from the code.
"""

import math
import random
import re
from fractions import Fraction

import pytest

from scoring.engine import (
    CALIBRATION_SHRINKAGE_SCORES,
    BriefPolicy,
    InterviewerCalibration,
    InterviewerHabit,
    ScorecardInput,
    ShortlistEntry,
    compute_shortlist,
    compute_shortlist_result,
    default_policy,
    inputs_fingerprint,
    rank_by_category_means,
    workspace_habits_pool,
)

EQUAL_WEIGHTS = BriefPolicy(weights=dict.fromkeys("ABCDE", 1.0), floors={}, is_genai=False)
K = CALIBRATION_SHRINKAGE_SCORES  # 3: the worked examples below assume it


def card(
    submission_id: str,
    interviewer_id: str,
    scores: tuple[int | None, int | None, int | None, int | None, int | None],
    recommendation: str | None = None,
) -> ScorecardInput:
    return ScorecardInput(
        submission_id=submission_id,
        interviewer_id=interviewer_id,
        scores=dict(zip("ABCDE", scores, strict=True)),
        recommendation=recommendation,
    )


def by_id(entries: list[ShortlistEntry]) -> dict[str, ShortlistEntry]:
    return {entry.submission_id: entry for entry in entries}


def interviewers(result) -> dict[str, InterviewerCalibration]:
    return {row.interviewer_id: row for row in result.interviewers}


def order(entries: list[ShortlistEntry]) -> list[str]:
    return [entry.submission_id for entry in entries]


def shown(value: Fraction) -> float:
    """A hand-worked fraction as the engine shows it (3 decimals)."""
    return round(float(value), 3)


def test_the_worked_examples_assume_a_shrinkage_of_three():
    assert K == 3


# --- The worked example of docs/scoring.md --------------------------------------------------

# GenAI AI/ML engineer brief. Panel mean 119 / 34 = 3.5. lena, priya and tomas each share two
# candidates with the other two; omar scored dev alone, so nothing compares him with anyone.
# Every shared category has two scores, so each compared score counts 1/2 as evidence
# (5 per interviewer) and the leniency equations are, with k = 3:
#   (5 + 3) * l_lena  - 2.5 * l_priya - 2.5 * l_tomas = 4.5    (half lena's score gaps)
#   (5 + 3) * l_priya - 2.5 * l_lena  - 2.5 * l_tomas = -1.5
#   (5 + 3) * l_tomas - 2.5 * l_lena  - 2.5 * l_priya = -3
# The right-hand sides add up to 0, so the leniencies do too, and each one is its right-hand
# side / 10.5: lena +3/7, priya -1/7, tomas -2/7. Levels are the means of score - leniency.
DOCS_EXAMPLE = [
    card("ana", "priya", (4, 3, 5, 2, 3)),
    card("ana", "lena", (5, 4, 5, 3, 4)),
    card("ben", "priya", (3, 3, 3, 3, 3)),
    card("ben", "tomas", (3, 3, 3, 3, 2)),
    card("cai", "tomas", (4, 2, 4, 3, 2)),
    card("cai", "lena", (5, 4, 5, 3, 3)),
    card("dev", "omar", (4, 4, 5, 4, None)),
]
DOCS_LENIENCY = {
    "lena": Fraction(3, 7),
    "priya": Fraction(-1, 7),
    "tomas": Fraction(-2, 7),
    "omar": Fraction(0),
}
DOCS_REASONS = {
    "ana": (
        "Strongest on production readiness (4.857); weakest on security and risk thinking "
        "(2.357), which lowers the balanced score by 0.325; security and risk thinking 2.357 "
        "is below the floor of 3 this GenAI brief requires"
    ),
    "ana_calibration": (
        "calibrating for interviewers' habits lowered the weighted score from 3.932 to 3.789"
    ),
    "ben": (
        "Strongest on applied AI delivery, data competence, production readiness and security "
        "and risk thinking (3.214); weakest on communication (2.714), which lowers the balanced "
        "score by 0.1; calibrating for interviewers' habits raised the weighted score from "
        "2.932 to 3.146."
    ),
    "cai": (
        "Strongest on applied AI delivery and production readiness (4.429); weakest on "
        "communication (2.429), which lowers the balanced score by 0.25; security and risk "
        "thinking 2.929 is below the floor of 3 this GenAI brief requires; interviewers "
        "disagree on data competence: needs a debrief."
    ),
    "dev": (
        "Strongest on production readiness (5.0); weakest on communication (not scored), which "
        "lowers the balanced score by 0.85; communication was not scored and counts as 0; its "
        "interviewer shares no scored candidate with the rest of the panel, so their habits "
        "could not be measured."
    ),
}


def test_docs_worked_example_calibration():
    result = compute_shortlist_result(DOCS_EXAMPLE, default_policy("ai_ml_engineer", True))
    rows = interviewers(result)

    assert result.panel_mean == 3.5
    assert result.groups == 1
    assert [row.interviewer_id for row in result.interviewers] == [
        "lena",
        "priya",
        "tomas",
        "omar",
    ]
    for name, leniency in DOCS_LENIENCY.items():
        assert rows[name].leniency == shown(leniency)
        assert rows[name].scale == 1.0 and rows[name].scale_estimated is False
    assert [rows[name].evidence for name in ("lena", "priya", "tomas")] == [5.0, 5.0, 5.0]
    assert [rows[name].compared_scores for name in ("lena", "priya", "tomas")] == [10, 10, 10]
    assert rows["omar"].compared_scores == 0 and rows["omar"].group == 0
    assert rows["lena"].summary == "Scores about 0.4 above the panel, from 10 compared scores."
    assert rows["tomas"].summary == "Scores about 0.3 below the panel, from 10 compared scores."
    assert rows["omar"].summary == (
        "Shares no scored candidate with another interviewer on this brief, so their habits "
        "could not be measured; their scores count as given."
    )

    # The equations of docs/scoring.md hold for the published figures: each level is the
    # mean of score - leniency, and each leniency is the mean of score - level over the
    # interviewer's compared scores, shrunk by n / (n + k): lena 39/7 over 10 scores -> 3/7.
    levels = {sid: [Fraction(0)] * 5 for sid in ("ana", "ben", "cai", "dev")}
    for sid in levels:
        for code in range(5):
            given = [
                Fraction(c._values[code]) - DOCS_LENIENCY[c.interviewer_id]
                for c in DOCS_EXAMPLE
                if c.submission_id == sid and c._values[code] is not None
            ]
            levels[sid][code] = sum(given) / len(given) if given else Fraction(0)
    for name in ("lena", "priya", "tomas"):
        gaps = [
            Fraction(c._values[code]) - levels[c.submission_id][code]
            for c in DOCS_EXAMPLE
            if c.interviewer_id == name
            for code in range(5)
        ]
        assert sum(gaps) / (len(gaps) + Fraction(K)) == DOCS_LENIENCY[name]
    assert sum(
        Fraction(c._values[code]) - levels[c.submission_id][code]
        for c in DOCS_EXAMPLE
        if c.interviewer_id == "lena"
        for code in range(5)
    ) == Fraction(39, 7)
    by_sid = by_id(result.entries)
    for sid, row in levels.items():
        expected = {
            code: (None if sid == "dev" and code == "E" else shown(value))
            for code, value in zip("ABCDE", row, strict=True)
        }
        assert by_sid[sid].category_means == expected


def test_docs_worked_example_ranks_the_floor_breaches_last():
    entries = compute_shortlist(DOCS_EXAMPLE, default_policy("ai_ml_engineer", is_genai=True))

    assert order(entries) == ["ben", "dev", "ana", "cai"]
    assert [entry.rank for entry in entries] == [1, 2, 3, 4]
    result = by_id(entries)

    ana = result["ana"]
    # priya's C of 5 + 1/7 and lena's 5 - 3/7 average to 34/7: levels are clamped to 0..5
    # after averaging, not score by score.
    assert ana.category_means == {"A": 4.357, "B": 3.357, "C": 4.857, "D": 2.357, "E": 3.357}
    assert ana.weighted_score == 3.789  # 1167/308
    assert ana.balanced_score == 3.464  # 3.789 - 0.25 * (3.657 - 2.357)
    assert ana.below_floor == ("D",)
    assert ana.floor_overridden is False
    # Each category: two scorecards whose interviewers' leniency rests on evidence 5, so its
    # uncertainty is 1/(5 + 3) of a score's noise: variance 1/2 + (1/8 + 1/8)/4 = 9/16,
    # effective scorecards 16/9, confidence (16/9) / (16/9 + 1) = 16/25.
    assert ana.confidence == 0.64
    assert ana.reason == f"{DOCS_REASONS['ana']}; {DOCS_REASONS['ana_calibration']}."
    # Without calibration ana's security is 2.5: below the floor too.
    assert ana.uncalibrated_rank == 4
    assert ana.uncalibrated_score == 3.607

    ben = result["ben"]
    assert ben.category_means == {"A": 3.214, "B": 3.214, "C": 3.214, "D": 3.214, "E": 2.714}
    assert ben.weighted_score == 3.146  # 969/308
    assert ben.balanced_score == 3.046
    assert ben.confidence == 0.64
    assert ben.reason == DOCS_REASONS["ben"]
    assert (ben.uncalibrated_rank, ben.uncalibrated_score) == (3, 2.832)
    assert ben.panel_group == 1

    cai = result["cai"]
    # D: tomas's 3 + 2/7 and lena's 3 - 3/7 average to 41/14 = 2.929: lena is more lenient
    # than tomas is harsh, so cai falls below the GenAI floor of 3 (raw: exactly 3).
    assert cai.category_means == {"A": 4.429, "B": 2.929, "C": 4.429, "D": 2.929, "E": 2.429}
    assert cai.weighted_score == 3.61  # 278/77
    assert cai.balanced_score == 3.36
    assert cai.below_floor == ("D",)
    assert cai.needs_debrief == ("B",)
    assert cai.confidence == 0.576  # 16/25 * (1 - 0.1)
    assert cai.reason == DOCS_REASONS["cai"]
    assert (cai.uncalibrated_rank, cai.uncalibrated_score) == (1, 3.432)

    dev = result["dev"]
    assert dev.category_means == {"A": 4.0, "B": 4.0, "C": 5.0, "D": 4.0, "E": None}
    assert dev.weighted_score == 3.773  # 4.15 / 1.1
    assert dev.balanced_score == 2.923  # 3.773 - 0.25 * 3.4
    assert dev.missing == ("E",)
    # omar's leniency rests on no evidence: its uncertainty is 1/3 of a score's noise, so
    # one scorecard counts 1 / (1 + 1/3) = 3/4: (3/4) / (7/4) * 4/5 = 12/35.
    assert dev.confidence == 0.343
    assert dev.scorecard_count == 1
    assert dev.panel_group == 0
    assert dev.reason == DOCS_REASONS["dev"]
    assert (dev.uncalibrated_rank, dev.uncalibrated_score) == (2, 2.923)


def test_docs_worked_example_with_the_executive_override():
    entries = compute_shortlist(
        DOCS_EXAMPLE, default_policy("ai_ml_engineer", is_genai=True), overrides={"ana"}
    )

    assert order(entries) == ["ana", "ben", "dev", "cai"]
    ana = entries[0]
    assert ana.below_floor == ("D",)
    assert ana.floor_overridden is True
    assert ana.balanced_score == 3.464
    assert ana.reason == (
        f"{DOCS_REASONS['ana']}; an executive overrode the floor exclusion; "
        f"{DOCS_REASONS['ana_calibration']}."
    )
    # The ranking without calibration applies the override too.
    assert ana.uncalibrated_rank == 1


def test_ranking_rules_are_the_same_for_given_means():
    policy = default_policy("ai_ml_engineer", is_genai=True)
    entries = compute_shortlist(DOCS_EXAMPLE, policy)
    means = {
        entry.submission_id: [entry.category_means[code] for code in "ABCDE"] for entry in entries
    }
    counts = {entry.submission_id: entry.scorecard_count for entry in entries}

    assert rank_by_category_means(means, policy, scorecard_counts=counts) == order(entries)
    assert rank_by_category_means(means, policy, {"ana"}, counts)[0] == "ana"
    assert rank_by_category_means({}, policy) == []


# --- Weights, floors, balance ----------------------------------------------------------------


def test_weights_are_normalised_and_set_the_weighted_score():
    # A counts 3/4 and B 1/4: 0.75 * 4 + 0.25 * 2 = 3.5, whatever the scale of the weights.
    scorecards = [card("s1", "iv1", (4, 2, 5, 5, 5))]
    small = BriefPolicy(weights={"A": 3, "B": 1, "C": 0, "D": 0, "E": 0}, floors={})
    large = BriefPolicy(weights={"A": 30.0, "B": 10.0, "C": 0.0, "D": 0.0, "E": 0.0}, floors={})

    for policy in (small, large):
        [entry] = compute_shortlist(scorecards, policy)
        assert entry.weighted_score == 3.5
        # Balance ignores weights: mean of 4, 2, 5, 5, 5 is 4.2, weakest 2, 0.25 * 2.2 = 0.55.
        assert entry.balanced_score == 2.95


def test_floor_breach_is_ranked_after_the_top_group_unless_overridden():
    policy = BriefPolicy(weights=dict.fromkeys("ABCDE", 1), floors={"D": 3})
    scorecards = [
        card("strong-but-unsafe", "iv1", (5, 5, 5, 2, 5)),  # weighted 4.4, balanced 3.8
        card("solid", "iv2", (3, 3, 3, 3, 3)),  # weighted 3.0, balanced 3.0
    ]

    entries = compute_shortlist(scorecards, policy)
    assert order(entries) == ["solid", "strong-but-unsafe"]
    assert entries[1].balanced_score == 3.8
    assert entries[1].below_floor == ("D",)
    assert entries[1].floor_overridden is False

    overridden = compute_shortlist(scorecards, policy, overrides=["strong-but-unsafe", "solid"])
    assert order(overridden) == ["strong-but-unsafe", "solid"]
    assert overridden[0].below_floor == ("D",)
    assert overridden[0].floor_overridden is True
    # An override on a submission without a breach changes nothing.
    assert overridden[1].floor_overridden is False


def test_unscored_category_with_a_floor_counts_as_below_it():
    policy = BriefPolicy(weights=dict.fromkeys("ABCDE", 1), floors={"D": 3}, is_genai=True)
    [entry] = compute_shortlist([card("s1", "iv1", (4, 4, 4, None, 4))], policy)

    assert entry.below_floor == ("D",)
    assert entry.missing == ("D",)
    assert entry.reason == (
        "Strongest on applied AI delivery, data competence, production readiness and "
        "communication (4.0); weakest on security and risk thinking (not scored), which lowers "
        "the balanced score by 0.8; security and risk thinking was not scored, but this GenAI "
        "brief requires at least 3."
    )


def test_even_profile_beats_a_spiky_profile_with_the_same_mean():
    scorecards = [
        # Ids sort the spiky profile first, so only the balance penalty can put it second.
        card("a-spiky", "iv1", (4, 4, 3, 3, 1)),  # mean 3.0, weakest 1: penalty 0.25 * 2
        card("b-even", "iv2", (3, 3, 3, 3, 3)),
    ]

    entries = compute_shortlist(scorecards, EQUAL_WEIGHTS)

    assert order(entries) == ["b-even", "a-spiky"]
    assert [entry.weighted_score for entry in entries] == [3.0, 3.0]
    assert [entry.balanced_score for entry in entries] == [3.0, 2.5]
    assert entries[0].reason == "Even profile at 3.0."
    assert entries[1].reason == (
        "Strongest on applied AI delivery and data competence (4.0); weakest on communication "
        "(1.0), which lowers the balanced score by 0.5."
    )


# --- Calibration -----------------------------------------------------------------------------


def test_leniency_is_measured_where_interviewers_scored_the_same_candidates():
    # Both score all three candidates; "lenient" gives one point more every time. Each
    # category holds two scores, so the 15 compared scores count 7.5 as evidence:
    #   (7.5 + 3) l_lenient - 7.5 l_plain = 7.5 (half of the 15 one-point gaps), and the mirror;
    # l_lenient = -l_plain = 7.5 / 18 = 5/12 (the mean gap of 0.5 each way, shrunk by 15/18).
    scorecards = [
        card(sid, "lenient", (level + 1,) * 5) for sid, level in (("s1", 3), ("s2", 2), ("s3", 1))
    ] + [card(sid, "plain", (level,) * 5) for sid, level in (("s1", 3), ("s2", 2), ("s3", 1))]

    result = compute_shortlist_result(scorecards, EQUAL_WEIGHTS)
    rows = interviewers(result)

    assert rows["lenient"].leniency == shown(Fraction(5, 12))
    assert rows["plain"].leniency == shown(Fraction(-5, 12))
    assert rows["lenient"].evidence == 7.5
    # Everyone saw both interviewers, so the habit cancels out of every level.
    assert by_id(result.entries)["s1"].category_means == dict.fromkeys("ABCDE", 3.5)
    assert by_id(result.entries)["s1"].reason == "Even profile at 3.5."


def test_routing_strong_candidates_to_one_interviewer_is_not_mistaken_for_leniency():
    # "senior" interviews only the four strong candidates (true level 4), each with "a" or
    # "b"; "a" and "b" also interview the weak ones (true level 2) alone. Nobody has a habit.
    # Comparing means with the panel would read senior (mean 4 against a panel mean of
    # 3.33) as 0.67 points lenient and push the strong candidates down; compared with a and b
    # on the same candidates, senior scores exactly like them.
    strong = [("s1", "a"), ("s2", "a"), ("s3", "b"), ("s4", "b")]
    weak = [("w1", "a"), ("w2", "a"), ("w3", "b"), ("w4", "b")]
    scorecards = [card(sid, "senior", (4,) * 5) for sid, _ in strong]
    scorecards += [card(sid, who, (4,) * 5) for sid, who in strong]
    scorecards += [card(sid, who, (2,) * 5) for sid, who in weak]

    result = compute_shortlist_result(scorecards, EQUAL_WEIGHTS)

    assert {row.interviewer_id: row.leniency for row in result.interviewers} == {
        "a": 0.0,
        "b": 0.0,
        "senior": 0.0,
    }
    means = {entry.submission_id: entry.category_means["A"] for entry in result.entries}
    assert means == {
        **dict.fromkeys(["s1", "s2", "s3", "s4"], 4.0),
        **dict.fromkeys(["w1", "w2", "w3", "w4"], 2.0),
    }


def test_a_lenient_interviewer_who_sees_only_strong_candidates_is_still_measured():
    # As above, but senior gives the strong candidates 5 (one point lenient). Evidence:
    # senior shares 20 scores in pairs (10), a and b 10 each (5); the equations
    #   13 l_s - 5 l_a - 5 l_b = 10,   8 l_a - 5 l_s = -5,   8 l_b - 5 l_s = -5
    # give l_s = 5/9 and l_a = l_b = -5/18: 0.833 apart where the truth is 1. The strong
    # candidates' level is ((5 - 5/9) + (4 + 5/18)) / 2 = 157/36, the weak ones' 2 + 5/18:
    # 2.083 apart (truth 2; the raw means are 2.5 apart).
    strong = [("s1", "a"), ("s2", "a"), ("s3", "b"), ("s4", "b")]
    weak = [("w1", "a"), ("w2", "a"), ("w3", "b"), ("w4", "b")]
    scorecards = [card(sid, "senior", (5,) * 5) for sid, _ in strong]
    scorecards += [card(sid, who, (4,) * 5) for sid, who in strong]
    scorecards += [card(sid, who, (2,) * 5) for sid, who in weak]

    result = compute_shortlist_result(scorecards, EQUAL_WEIGHTS)
    rows = interviewers(result)

    assert rows["senior"].leniency == shown(Fraction(5, 9))
    assert rows["a"].leniency == rows["b"].leniency == shown(Fraction(-5, 18))
    entries = by_id(result.entries)
    assert entries["s1"].category_means["A"] == shown(Fraction(157, 36))
    assert entries["w1"].category_means["A"] == shown(Fraction(41, 18))
    assert entries["s1"].uncalibrated_score == 4.5


def test_estimate_recovers_known_leniency_when_candidates_are_routed_by_strength():
    # 300 candidates, 6 interviewers with known leniency, 3 scorecards each, 60 % of the
    # candidates routed to interviewers by strength; integer scores with noise. Levels stay
    # inside 1.5..3.5 so that no score is clamped at 0 or 5.
    generator = random.Random(15)
    true_leniency = [-0.8, -0.4, 0.0, 0.0, 0.4, 0.8]
    seniority = [2, 5, 0, 3, 1, 4]  # routing order, unrelated to leniency
    scorecards = []
    for number in range(300):
        levels = [generator.uniform(1.5, 3.5) for _ in range(5)]
        if generator.random() < 0.6:
            start = min(3, int(sum(levels) / 5 - 1.5) * 2 + generator.randint(0, 1))
            panel = seniority[start : start + 3]
        else:
            panel = generator.sample(range(6), 3)
        for who in panel:
            scores = tuple(
                min(5, max(0, round(level + true_leniency[who] + generator.gauss(0, 0.5))))
                for level in levels
            )
            scorecards.append(card(f"c{number:03d}", f"iv{who}", scores))

    result = compute_shortlist_result(scorecards, EQUAL_WEIGHTS)
    rows = interviewers(result)

    for who, leniency in enumerate(true_leniency):
        assert abs(rows[f"iv{who}"].leniency - leniency) < 0.1, rows[f"iv{who}"]
        # No interviewer here uses the scale differently: the estimate stays near 1.
        assert abs(rows[f"iv{who}"].scale - 1.0) < 0.1
    assert result.groups == 1


def test_scale_use_is_estimated_where_the_data_supports_it():
    # Eight candidates with varied levels, each scored by all three: "wide" stretches the
    # scale around 2.5 by 1.6, "narrow" squeezes it to half, "plain" scores the level.
    levels = [(1, 2, 3, 4, 2), (4, 3, 2, 1, 3), (2, 2, 4, 4, 1), (3, 1, 1, 3, 4)]
    levels += [(4, 4, 1, 2, 3), (1, 3, 4, 2, 2), (3, 4, 2, 1, 1), (2, 1, 3, 3, 4)]

    def use(level: int, scale: float) -> int:
        return min(5, max(0, math.floor(2.5 + scale * (level - 2.5) + 0.5)))

    scorecards = []
    for number, row in enumerate(levels):
        scorecards.append(card(f"s{number}", "plain", row))
        scorecards.append(card(f"s{number}", "wide", tuple(use(v, 1.6) for v in row)))
        scorecards.append(card(f"s{number}", "narrow", tuple(use(v, 0.5) for v in row)))

    result = compute_shortlist_result(scorecards, EQUAL_WEIGHTS)
    rows = interviewers(result)

    assert all(row.scale_estimated for row in rows.values())
    assert rows["wide"].scale > 1.25
    assert rows["narrow"].scale < 0.75
    assert rows["narrow"].scale < rows["plain"].scale < rows["wide"].scale
    # Scales are relative to the group: their geometric mean is 1.
    product = rows["wide"].scale * rows["narrow"].scale * rows["plain"].scale
    assert product == pytest.approx(1.0, abs=0.005)
    assert "spreads scores" in rows["wide"].summary
    assert "keeps scores closer together than the panel" in rows["narrow"].summary
    # A panel this small (fewer than 4 candidates each) keeps every scale at 1.
    small = compute_shortlist_result(scorecards[:9], EQUAL_WEIGHTS)
    assert {row.scale for row in small.interviewers} == {1.0}
    assert not any(row.scale_estimated for row in small.interviewers)


def test_disconnected_panel_is_calibrated_within_each_group():
    # Team x (x1, x2) scores a1 and a2; team y (y1, y2) scores b1 and b2; no candidate is
    # scored by both teams. Team x's candidates score 2 points higher: stronger candidates
    # or a more lenient team? Nothing in this brief can tell, so each group's leniencies
    # average zero and the groups are compared as they scored. Within team x, x1 gives one
    # point more than x2: 10 compared scores in pairs give evidence 5, and
    # (5 + 3) l_x1 - 5 l_x2 = 5 with l_x2 = -l_x1 gives l_x1 = 5/13.
    scorecards = [
        card("a1", "x1", (5, 5, 5, 5, 5)),
        card("a1", "x2", (4, 4, 4, 4, 4)),
        card("a2", "x1", (4, 4, 4, 4, 4)),
        card("a2", "x2", (3, 3, 3, 3, 3)),
        card("b1", "y1", (2, 2, 2, 2, 2)),
        card("b1", "y2", (2, 2, 2, 2, 2)),
        card("b2", "y1", (3, 3, 3, 3, 3)),
        card("b2", "y2", (3, 3, 3, 3, 3)),
    ]

    result = compute_shortlist_result(scorecards, EQUAL_WEIGHTS)
    rows = interviewers(result)
    entries = by_id(result.entries)

    assert result.groups == 2
    # Equal scores given (20 each): the tie goes to the group with the first interviewer id.
    assert {name: row.group for name, row in rows.items()} == {"x1": 1, "x2": 1, "y1": 2, "y2": 2}
    assert rows["x1"].leniency == shown(Fraction(5, 13))
    assert rows["x2"].leniency == shown(Fraction(-5, 13))
    assert rows["y1"].leniency == rows["y2"].leniency == 0.0
    # Levels keep each group's own mean: the teams are compared as they scored.
    assert [entries[sid].weighted_score for sid in ("a1", "a2", "b1", "b2")] == [
        4.5,
        3.5,
        2.0,
        3.0,
    ]
    assert [entries[sid].panel_group for sid in ("a1", "a2", "b1", "b2")] == [1, 1, 2, 2]
    assert entries["a1"].reason == "Even profile at 4.5."
    assert entries["b2"].reason == (
        "Even profile at 3.0; its interviewers share no scored candidate with the main panel, "
        "so their habits are measured only among themselves."
    )


def test_workspace_evidence_bridges_the_groups_of_a_disconnected_panel():
    # The panel above; earlier briefs found team x 1 point lenient (evidence 40, counted at
    # half: weight 20). With the prior, team x's leniencies solve
    #   (5 + 3 + 20) l_x1 - 5 l_x2 = 5 + 20,   (5 + 3 + 20) l_x2 - 5 l_x1 = -5 + 20
    # and team x's levels drop by the mean of the two leniencies.
    scorecards = [
        card("a1", "x1", (5, 5, 5, 5, 5)),
        card("a1", "x2", (4, 4, 4, 4, 4)),
        card("a2", "x1", (4, 4, 4, 4, 4)),
        card("a2", "x2", (3, 3, 3, 3, 3)),
        card("b1", "y1", (2, 2, 2, 2, 2)),
        card("b1", "y2", (2, 2, 2, 2, 2)),
        card("b2", "y1", (3, 3, 3, 3, 3)),
        card("b2", "y2", (3, 3, 3, 3, 3)),
    ]
    habits = {
        "x1": InterviewerHabit(leniency=1.0, evidence=40),
        "x2": InterviewerHabit(leniency=1.0, evidence=40),
    }

    result = compute_shortlist_result(scorecards, EQUAL_WEIGHTS, workspace_habits=habits)
    rows = interviewers(result)
    entries = by_id(result.entries)

    # Sum: 23 (l_x1 + l_x2) = 40 -> 40/23; difference: 33 (l_x1 - l_x2) = 10 -> 10/33.
    total, gap = Fraction(40, 23), Fraction(10, 33)
    assert rows["x1"].leniency == shown((total + gap) / 2)
    assert rows["x2"].leniency == shown((total - gap) / 2)
    assert rows["x1"].brief_leniency == shown(Fraction(5, 13))  # this brief alone
    assert rows["x1"].workspace_leniency == 1.0
    assert rows["x1"].workspace_evidence == 20.0
    assert rows["y1"].workspace_leniency is None
    assert rows["x1"].summary == (
        "Scores about 1.0 above the panel, from 10 compared scores on this brief and about 20 "
        "on earlier briefs."
    )
    # a1's level: 4.5 - (l_x1 + l_x2) / 2 = 4.5 - 20/23.
    assert entries["a1"].weighted_score == shown(Fraction(9, 2) - Fraction(20, 23))
    assert entries["b2"].reason.endswith("so their habits are measured only among themselves.")
    # Without the prior the same panel gives the brief-only figures.
    plain = interviewers(compute_shortlist_result(scorecards, EQUAL_WEIGHTS))
    assert plain["x1"].leniency == plain["x1"].brief_leniency == shown(Fraction(5, 13))


def test_interviewer_with_one_scorecard_alone_on_the_candidate_gets_no_adjustment():
    # "once" scored s1 alone: nothing compares them with anyone, so s1 keeps the raw 5s.
    # "twice" scored s2 and s3 alone: the same. Nobody's habit can be measured.
    scorecards = [
        card("s1", "once", (5, 5, 5, 5, 5)),
        card("s2", "twice", (3, 3, 3, 3, 3)),
        card("s3", "twice", (1, 1, 1, 1, 1)),
    ]

    result = compute_shortlist_result(scorecards, EQUAL_WEIGHTS)
    entries = by_id(result.entries)

    assert [entries[sid].category_means["A"] for sid in ("s1", "s2", "s3")] == [5.0, 3.0, 1.0]
    assert {row.leniency for row in result.interviewers} == {0.0}
    assert result.groups == 0
    # No group to compare with anywhere, so no reason carries a panel note.
    assert entries["s1"].reason == "Even profile at 5.0."
    # One scorecard whose interviewer's habit is unknown (uncertainty 1/3 of a score's noise):
    # 1 / (1 + 1/3) = 3/4 effective scorecards, confidence (3/4) / (7/4) = 3/7.
    assert entries["s1"].confidence == 0.429


def test_interviewer_with_one_scorecard_shared_with_others_is_shrunk_hard():
    # "steady" and "other" score s1, s2, s3 alike; "once" joins for s1 only, one point
    # higher. Evidence: once 5 * 2/3 = 10/3, steady and other 10/3 + 5 = 25/3. Equations
    # (k = 3; right-hand side = sum of score - cell mean):
    #   (10/3 + 3) l_once - 5/3 l_steady - 5/3 l_other = 10/3
    #   (25/3 + 3) l_steady - 5/3 l_once - 20/3 l_other = -5/3   (and the same for other)
    # -> l_once = 5/12, l_steady = l_other = -5/24: 0.625 apart, where the truth is 1.
    scorecards = [
        card(sid, name, (3,) * 5) for sid in ("s1", "s2", "s3") for name in ("steady", "other")
    ]
    scorecards.append(card("s1", "once", (4,) * 5))

    result = compute_shortlist_result(scorecards, EQUAL_WEIGHTS)
    rows = interviewers(result)
    entries = by_id(result.entries)

    assert rows["once"].leniency == shown(Fraction(5, 12))
    assert rows["steady"].leniency == rows["other"].leniency == shown(Fraction(-5, 24))
    assert rows["once"].scorecards == 1 and rows["once"].compared_scores == 5
    assert rows["once"].evidence == shown(Fraction(10, 3))
    # s1 is 1/3 above s2 raw; calibrated: 10/3 against 3 + 5/24, 1/8 above.
    assert entries["s1"].category_means["A"] == shown(Fraction(10, 3))
    assert entries["s2"].category_means["A"] == shown(Fraction(77, 24))


def test_blank_categories_are_missing_data_not_zeros():
    # "sparse" scores only A and B, one point above "full", who scores everything. Were the
    # blanks zeros, sparse would look harsh; as missing data only A and B are compared, and
    # sparse comes out lenient. C-E come from full's scores alone, calibrated by full's habit.
    scorecards = [
        card("s1", "sparse", (4, 4, None, None, None)),
        card("s1", "full", (3, 3, 3, 3, 3)),
        card("s2", "sparse", (3, 3, None, None, None)),
        card("s2", "full", (2, 2, 2, 2, 2)),
    ]

    result = compute_shortlist_result(scorecards, EQUAL_WEIGHTS)
    rows = interviewers(result)
    s1 = by_id(result.entries)["s1"]

    # 4 compared scores each (evidence 2): (2 + 3) l - 2 (-l) = 2 -> l_sparse = 2/7.
    assert rows["sparse"].leniency == shown(Fraction(2, 7))
    assert rows["full"].leniency == shown(Fraction(-2, 7))
    assert rows["sparse"].compared_scores == 4
    assert s1.category_means["C"] == shown(3 + Fraction(2, 7))
    assert s1.category_means["A"] == 3.5  # (4 - 2/7 + 3 + 2/7) / 2
    assert s1.missing == ()


def test_calibrated_levels_are_clamped_to_the_scale():
    # "kind" gives 5 where "strict" gives 3 on s1 and s2; strict alone gave s3 a 5.
    # l_kind = 10/13 and l_strict = -10/13 (evidence 5, gaps of 2), so s3's level would be
    # 5 + 10/13: clamped to 5.0.
    scorecards = [
        card("s1", "kind", (5, 5, 5, 5, 5)),
        card("s1", "strict", (3, 3, 3, 3, 3)),
        card("s2", "kind", (5, 5, 5, 5, 5)),
        card("s2", "strict", (3, 3, 3, 3, 3)),
        card("s3", "strict", (5, 5, 5, 5, 5)),
    ]

    result = compute_shortlist_result(scorecards, EQUAL_WEIGHTS)

    assert interviewers(result)["kind"].leniency == shown(Fraction(10, 13))
    s3 = by_id(result.entries)["s3"]
    assert s3.category_means == dict.fromkeys("ABCDE", 5.0)
    assert s3.rank == 1


def test_workspace_evidence_informs_an_interviewer_the_brief_cannot_measure():
    # "new" scored s1 alone; earlier briefs found them 0.8 lenient over 30 compared scores,
    # counted at half (weight 15): l = 15 * 0.8 / (15 + 3) = 2/3.
    scorecards = [card("s1", "new", (4, 4, 4, 4, 4)), card("s2", "old", (4, 4, 4, 4, 4))]
    habits = {"new": InterviewerHabit(leniency=0.8, evidence=30)}

    result = compute_shortlist_result(scorecards, EQUAL_WEIGHTS, workspace_habits=habits)
    rows = interviewers(result)
    entries = by_id(result.entries)

    assert rows["new"].leniency == shown(Fraction(2, 3))
    assert rows["new"].brief_leniency == 0.0
    assert rows["new"].summary == (
        "Scores about 0.7 above the panel, from 0 compared scores on this brief and about 15 "
        "on earlier briefs."
    )
    assert entries["s1"].weighted_score == shown(4 - Fraction(2, 3))
    assert entries["s2"].weighted_score == 4.0
    assert order(result.entries) == ["s2", "s1"]
    # The fingerprint notices the workspace evidence.
    assert inputs_fingerprint(scorecards, EQUAL_WEIGHTS, (), habits) != inputs_fingerprint(
        scorecards, EQUAL_WEIGHTS
    )
    assert inputs_fingerprint(scorecards, EQUAL_WEIGHTS, (), {}) == inputs_fingerprint(
        scorecards, EQUAL_WEIGHTS
    )


def test_workspace_habits_pool_undoes_each_briefs_shrinkage():
    # Brief 1: leniency 0.3 from evidence 7 (shrunk by 7/10: measured 3/7); brief 2: 0.5 from
    # evidence 3 (shrunk by 1/2: measured 1.0). Pooled: (0.3 * 10 + 0.5 * 6) / 10 = 0.6.
    pooled = workspace_habits_pool(
        [("iv1", 0.3, 7.0), ("iv1", 0.5, 3.0), ("iv2", 0.9, 0.0), ("iv3", -0.2, 2.0)]
    )

    assert pooled == {
        "iv1": InterviewerHabit(leniency=0.6, evidence=10.0),
        "iv3": InterviewerHabit(leniency=-0.5, evidence=2.0),  # -0.2 * 5 / 2
    }
    with pytest.raises(ValueError, match="workspace habit evidence must be >= 0"):
        InterviewerHabit(leniency=0.1, evidence=-1)
    with pytest.raises(ValueError, match="workspace habit leniency must be a finite number"):
        InterviewerHabit(leniency=math.nan, evidence=1)


# --- Ties, confidence, missing categories, disagreement --------------------------------------


def test_ties_break_by_weighted_score_then_scorecards_then_id():
    # All four have a balanced score of 3.2:
    #   sub-4: means 5, 5, 5, 5, 0.5 -> weighted 4.1, penalty 0.25 * 3.6 = 0.9
    #   sub-1, sub-2, sub-3: 4, 4, 4, 4, 2 -> weighted 3.6, penalty 0.25 * 1.6 = 0.4
    # sub-3 has two scorecards, sub-1 and sub-2 one each (then id ascending).
    scorecards = [
        card("sub-2", "iv1", (4, 4, 4, 4, 2)),
        card("sub-1", "iv2", (4, 4, 4, 4, 2)),
        card("sub-3", "iv3", (4, 4, 4, 4, 2)),
        card("sub-3", "iv4", (4, 4, 4, 4, 2)),
        card("sub-4", "iv5", (5, 5, 5, 5, 1)),
        card("sub-4", "iv6", (5, 5, 5, 5, 0)),
    ]

    entries = compute_shortlist(scorecards, EQUAL_WEIGHTS)

    assert [entry.balanced_score for entry in entries] == [3.2, 3.2, 3.2, 3.2]
    assert [entry.weighted_score for entry in entries] == [4.1, 3.6, 3.6, 3.6]
    assert [entry.scorecard_count for entry in entries] == [2, 2, 1, 1]
    assert order(entries) == ["sub-4", "sub-3", "sub-1", "sub-2"]
    assert order(compute_shortlist(list(reversed(scorecards)), EQUAL_WEIGHTS)) == order(entries)


def test_confidence_grows_with_scorecards_and_drops_with_disagreement():
    one = [card("one", "iv1", (3, 3, 3, 3, 3))]
    three = [card("three", f"iv{i}", (3, 3, 3, 3, 3)) for i in range(2, 5)]
    split = [
        card("split", "iv5", (3, 1, 3, 3, 3)),
        card("split", "iv6", (3, 3, 3, 3, 3)),
        card("split", "iv7", (3, 3, 3, 3, 3)),
    ]

    result = by_id(compute_shortlist(one + three + split, EQUAL_WEIGHTS))

    # "one": nobody else scored it, so iv1's habit is unknown (uncertainty 1/k = 1/3 of a
    # score's noise): 1 / (1 + 1/3) = 3/4 effective scorecards, confidence (3/4) / (7/4).
    assert result["one"].confidence == 0.429
    # "three": each interviewer's 5 scores are compared with two others (evidence 5 * 2/3),
    # so each leniency carries 1 / (10/3 + 3) = 3/19; a category's variance is
    # 1/3 + (3 * 3/19) / 9 = 22/57: 57/22 effective scorecards, confidence 57/79.
    assert result["three"].confidence == 0.722
    assert result["split"].confidence == 0.649  # 57/79 * (1 - 0.1)
    assert result["split"].needs_debrief == ("B",)
    # Same balanced score for "one" and "three": more scorecards wins the tie.
    assert order(compute_shortlist(one + three, EQUAL_WEIGHTS)) == ["three", "one"]


def test_missing_category_counts_as_zero_and_is_never_rewarded():
    scorecards = [
        card("blank-e", "iv1", (4, 4, 4, 4, None)),
        card("zero-e", "iv2", (4, 4, 4, 4, 0)),
        card("one-e", "iv3", (4, 4, 4, 4, 1)),
    ]

    entries = compute_shortlist(scorecards, EQUAL_WEIGHTS)
    result = by_id(entries)

    blank = result["blank-e"]
    assert blank.category_means == {"A": 4.0, "B": 4.0, "C": 4.0, "D": 4.0, "E": None}
    assert blank.missing == ("E",)
    assert blank.weighted_score == 3.2  # 16 / 5: E's weight still counts
    assert blank.balanced_score == 2.4  # 3.2 - 0.25 * (3.2 - 0)
    assert blank.confidence == 0.343  # 3/7 * 4/5: one scorecard, habit unknown
    assert blank.reason == (
        "Strongest on applied AI delivery, data competence, production readiness and security "
        "and risk thinking (4.0); weakest on communication (not scored), which lowers the "
        "balanced score by 0.8; communication was not scored and counts as 0."
    )
    # Leaving E blank ties with scoring it 0 (then ids decide) and loses to scoring it 1.
    assert result["zero-e"].balanced_score == 2.4
    assert result["one-e"].balanced_score == 2.8  # 3.4 - 0.25 * 2.4
    assert order(entries) == ["one-e", "blank-e", "zero-e"]
    assert result["zero-e"].missing == ()


def test_scorecards_without_any_score():
    scorecards = [
        card("empty", "iv1", (None, None, None, None, None)),
        card("empty", "iv2", (None, None, None, None, None)),
    ]

    [entry] = compute_shortlist(scorecards, EQUAL_WEIGHTS)

    assert entry.weighted_score == 0.0
    assert entry.balanced_score == 0.0
    assert entry.confidence == 0.0
    assert entry.scorecard_count == 2
    assert entry.missing == ("A", "B", "C", "D", "E")
    assert entry.reason == (
        "No category has been scored yet; applied AI delivery, data competence, production "
        "readiness, security and risk thinking and communication were not scored and count as 0."
    )


def test_disagreement_flag_at_two_points_and_not_at_one():
    scorecards = [
        # B: 2 vs 4 (2 points) -> debrief; C: 3 vs 4 (1 point) -> no debrief.
        card("pair", "iv1", (3, 2, 3, 3, 3)),
        card("pair", "iv2", (3, 4, 4, 3, 3)),
        # A: 2, 3, 4 -> neighbours differ by 1, but the outer two by 2 -> debrief.
        card("trio", "iv3", (2, 3, 3, 3, 3)),
        card("trio", "iv4", (3, 3, 3, 3, 3)),
        card("trio", "iv5", (4, 3, 3, 3, 3)),
    ]

    result = by_id(compute_shortlist(scorecards, EQUAL_WEIGHTS))

    assert result["pair"].needs_debrief == ("B",)
    # "pair" and "trio" share no interviewer: trio (more scores) is the main panel.
    assert result["pair"].reason.endswith(
        "interviewers disagree on data competence: needs a debrief; its interviewers share no "
        "scored candidate with the main panel, so their habits are measured only among "
        "themselves."
    )
    assert result["trio"].reason.endswith("needs a debrief.")
    assert result["trio"].needs_debrief == ("A",)


def test_disagreement_uses_raw_scores_not_calibrated_ones():
    # Panel mean 4.0; "kind" (mean 5) gets +1 * 10/15 = +2/3 and "strict" -2/3. On s1 their
    # 5 and 3 calibrate to 4.333 and 3.667 (0.667 apart), but the raw 2-point gap still
    # needs a debrief.
    scorecards = [
        card("s1", "kind", (5, 5, 5, 5, 5)),
        card("s1", "strict", (3, 3, 3, 3, 3)),
        card("s2", "kind", (5, 5, 5, 5, 5)),
        card("s3", "strict", (3, 3, 3, 3, 3)),
    ]

    [s1] = [entry for entry in compute_shortlist(scorecards, EQUAL_WEIGHTS) if entry.rank == 2]

    assert s1.submission_id == "s1"
    assert s1.category_means == dict.fromkeys("ABCDE", 4.0)
    assert s1.needs_debrief == ("A", "B", "C", "D", "E")


# --- Default policies ------------------------------------------------------------------------


def test_genai_brief_gets_a_security_floor_and_more_security_weight():
    plain = default_policy("ai_ml_engineer", is_genai=False)
    genai = default_policy("ai_ml_engineer", is_genai=True)

    assert plain.floors == {"A": None, "B": None, "C": 2, "D": None, "E": None}
    assert genai.floors == {"A": None, "B": None, "C": 2, "D": 3, "E": None}
    assert plain.weights["D"] == 0.15
    assert genai.weights["D"] == 0.25
    assert genai.is_genai is True

    scorecards = [card("s1", "iv1", (4, 3, 5, 2, 4))]
    [plain_entry] = compute_shortlist(scorecards, plain)
    [genai_entry] = compute_shortlist(scorecards, genai)
    assert plain_entry.below_floor == ()
    assert genai_entry.below_floor == ("D",)
    assert (
        "security and risk thinking 2.0 is below the floor of 3 this GenAI brief requires"
        in genai_entry.reason
    )
    # Weighted: (0.2*4 + 0.15*3 + 0.35*5 + 0.15*2 + 0.15*4) = 3.9; GenAI: (3.9 + 0.1*2) / 1.1.
    assert plain_entry.weighted_score == 3.9
    assert genai_entry.weighted_score == 3.727


def test_default_weights_follow_the_track():
    developer = default_policy("python_developer", is_genai=False).weights
    ai_developer = default_policy("python_ai_developer", is_genai=False).weights
    engineer = default_policy("ai_ml_engineer", is_genai=False).weights

    assert dict(developer) == {"A": 0.10, "B": 0.20, "C": 0.30, "D": 0.15, "E": 0.25}
    assert dict(ai_developer) == {"A": 0.30, "B": 0.30, "C": 0.15, "D": 0.10, "E": 0.15}
    assert dict(engineer) == {"A": 0.20, "B": 0.15, "C": 0.35, "D": 0.15, "E": 0.15}
    assert max(engineer, key=engineer.__getitem__) == "C"
    assert min(developer, key=developer.__getitem__) == "A"
    assert default_policy("python_developer", is_genai=True).floors["D"] == 3
    assert default_policy("python_ai_developer", is_genai=True).floors["A"] == 2


def test_unknown_track_is_rejected():
    with pytest.raises(ValueError, match="unknown track 'data_scientist'"):
        default_policy("data_scientist", is_genai=False)


# --- Invalid input ---------------------------------------------------------------------------


@pytest.mark.parametrize("bad_score", [6, -1, 3.5, "3", True])
def test_score_outside_zero_to_five_is_rejected(bad_score):
    with pytest.raises(
        ValueError,
        match=re.escape(
            f"scorecard s1/iv1: score for C must be an integer from 0 to 5 or None, "
            f"got {bad_score!r}"
        ),
    ):
        ScorecardInput("s1", "iv1", {"A": 3, "C": bad_score})


def test_unknown_category_code_is_rejected():
    with pytest.raises(ValueError, match=r"scorecard s1/iv1: unknown category code\(s\) 'F'"):
        ScorecardInput("s1", "iv1", {"A": 3, "F": 4})
    with pytest.raises(ValueError, match=r"weights: unknown category code\(s\) 'F'"):
        BriefPolicy(weights={**dict.fromkeys("ABCDE", 1.0), "F": 1.0}, floors={})
    with pytest.raises(ValueError, match=r"floors: unknown category code\(s\) 'd'"):
        BriefPolicy(weights=dict.fromkeys("ABCDE", 1.0), floors={"d": 3})


def test_invalid_policy_is_rejected():
    with pytest.raises(ValueError, match="weights: all weights are zero"):
        BriefPolicy(weights=dict.fromkeys("ABCDE", 0), floors={})
    with pytest.raises(ValueError, match="weight for B must be a finite number >= 0, got -1"):
        BriefPolicy(weights={"A": 1, "B": -1, "C": 1, "D": 1, "E": 1}, floors={})
    with pytest.raises(ValueError, match="weights: no weight for category E"):
        BriefPolicy(weights={"A": 1, "B": 1, "C": 1, "D": 1}, floors={})
    with pytest.raises(ValueError, match="floor for D must be an integer from 0 to 5"):
        BriefPolicy(weights=dict.fromkeys("ABCDE", 1), floors={"D": 6})


def test_invalid_scorecard_fields_are_rejected():
    with pytest.raises(ValueError, match="recommendation must be one of strong_no, no, mixed"):
        ScorecardInput("s1", "iv1", {"A": 3}, recommendation="maybe")
    with pytest.raises(ValueError, match="scorecard submission_id must be a non-empty string"):
        ScorecardInput("", "iv1", {"A": 3})


def test_two_scorecards_by_one_interviewer_for_one_submission_are_rejected():
    scorecards = [card("s1", "iv1", (3, 3, 3, 3, 3)), card("s1", "iv1", (4, 4, 4, 4, 4))]

    with pytest.raises(ValueError, match="interviewer iv1 has more than one scorecard for s"):
        compute_shortlist(scorecards, EQUAL_WEIGHTS)


def test_scorecard_keeps_its_own_copy_of_the_scores():
    scores: dict[str, int | None] = {"A": 3}
    scorecard = ScorecardInput("s1", "iv1", scores)
    scores["A"] = 5

    assert dict(scorecard.scores) == {"A": 3, "B": None, "C": None, "D": None, "E": None}


def test_no_scorecards_give_an_empty_shortlist():
    assert compute_shortlist([], EQUAL_WEIGHTS) == []


# --- Fingerprint -----------------------------------------------------------------------------


def test_fingerprint_ignores_order_and_notices_every_change():
    policy = default_policy("python_ai_developer", is_genai=False)
    scorecards = [
        card("s1", "iv1", (3, 4, 2, 3, None), "yes"),
        card("s1", "iv2", (4, 4, 3, 3, 2), "mixed"),
        card("s2", "iv1", (2, 2, 2, 2, 2)),
    ]
    fingerprint = inputs_fingerprint(scorecards, policy, ["s2", "s1"])

    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint)
    assert inputs_fingerprint(list(reversed(scorecards)), policy, ("s1", "s2", "s1")) == (
        fingerprint
    )
    # An omitted category is the same input as an explicit None.
    e_omitted = ScorecardInput("s1", "iv1", {"A": 3, "B": 4, "C": 2, "D": 3}, "yes")
    assert inputs_fingerprint([e_omitted, *scorecards[1:]], policy, ["s1", "s2"]) == fingerprint
    # Integer weights and the equal float weights are the same policy.
    int_weights = BriefPolicy(weights=dict.fromkeys("ABCDE", 1), floors={})
    assert inputs_fingerprint(scorecards, int_weights) == inputs_fingerprint(
        scorecards, EQUAL_WEIGHTS
    )

    changed_score = [*scorecards[:2], card("s2", "iv1", (2, 2, 2, 2, 3))]
    assert inputs_fingerprint(changed_score, policy, ["s1", "s2"]) != fingerprint
    assert inputs_fingerprint(scorecards, policy, ["s1"]) != fingerprint
    genai = default_policy("python_ai_developer", is_genai=True)
    assert inputs_fingerprint(scorecards, genai, ["s1", "s2"]) != fingerprint
    changed_recommendation = [card("s1", "iv1", (3, 4, 2, 3, None), "no"), *scorecards[1:]]
    assert inputs_fingerprint(changed_recommendation, policy, ["s1", "s2"]) != fingerprint


# --- Size ------------------------------------------------------------------------------------


def test_large_brief_ranks_every_submission():
    # 5,000 submissions x 3 scorecards from a pool of 40 interviewers; a seeded generator
    # keeps the data the same on every run.
    generator = random.Random(2026)
    scorecards = [
        ScorecardInput(
            submission_id=f"sub-{number:05d}",
            interviewer_id=f"iv-{(number + seat * 7) % 40}",
            scores={code: generator.randint(0, 5) for code in "ABCDE"},
        )
        for number in range(5_000)
        for seat in range(3)
    ]
    policy = default_policy("ai_ml_engineer", is_genai=True)

    entries = compute_shortlist(scorecards, policy)

    assert len(entries) == 5_000
    assert [entry.rank for entry in entries] == list(range(1, 5_001))
    assert {entry.scorecard_count for entry in entries} == {3}
    assert len({entry.submission_id for entry in entries}) == 5_000
    excluded = [bool(entry.below_floor) for entry in entries]
    assert excluded == sorted(excluded)  # every floor breach after the top group
    assert 0 < excluded.count(True) < 5_000
    for group in (False, True):
        balanced = [
            entry.balanced_score
            for entry, flag in zip(entries, excluded, strict=True)
            if flag is group
        ]
        assert balanced == sorted(balanced, reverse=True)


def test_many_interviewers_who_each_scored_alone_keep_the_estimate_small():
    # 3,000 people who each scored one candidate alone, beside a panel of two who share
    # candidates: only the two enter the linear system; the others keep their scores.
    scorecards = [card(f"alone-{n:04d}", f"solo-{n:04d}", (3, 3, 3, 3, 3)) for n in range(3000)]
    scorecards += [card(sid, "kind", (4,) * 5) for sid in ("p1", "p2", "p3")]
    scorecards += [card(sid, "plain", (3,) * 5) for sid in ("p1", "p2", "p3")]

    result = compute_shortlist_result(scorecards, EQUAL_WEIGHTS)
    rows = interviewers(result)

    assert rows["kind"].leniency == shown(Fraction(5, 12))  # as with the two of them alone
    assert rows["solo-0000"].leniency == 0.0 and rows["solo-0000"].group == 0
    assert result.groups == 1
    assert len(result.entries) == 3003
    assert by_id(result.entries)["p1"].category_means["A"] == 3.5
