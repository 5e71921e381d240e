"""Unit tests of the pure shortlist engine (scoring/engine.py): no database, no Django.

Expected figures are worked out by hand in the comments; the first two tests check the
worked example of docs/scoring.md, so the documentation cannot drift from the code.
"""

import random
import re

import pytest

from scoring.engine import (
    BriefPolicy,
    ScorecardInput,
    ShortlistEntry,
    compute_shortlist,
    default_policy,
    inputs_fingerprint,
)

EQUAL_WEIGHTS = BriefPolicy(weights=dict.fromkeys("ABCDE", 1.0), floors={}, is_genai=False)


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


def order(entries: list[ShortlistEntry]) -> list[str]:
    return [entry.submission_id for entry in entries]


# --- The worked example of docs/scoring.md --------------------------------------------------

# GenAI AI/ML engineer brief. Panel mean 119 / 34 = 3.5. Offsets (k = 5, n = 10):
# lena 41/10 = 4.1 -> +0.6 * 10/15 = +0.4; priya 3.2 -> -0.2; tomas 2.9 -> -0.4;
# omar scored one submission only -> no offset.
DOCS_EXAMPLE = [
    card("ana", "priya", (4, 3, 5, 2, 3)),
    card("ana", "lena", (5, 4, 5, 3, 4)),
    card("ben", "priya", (3, 3, 3, 3, 3)),
    card("ben", "tomas", (3, 3, 3, 3, 2)),
    card("cai", "tomas", (4, 2, 4, 3, 2)),
    card("cai", "lena", (5, 4, 5, 3, 3)),
    card("dev", "omar", (4, 4, 5, 4, None)),
]
DOCS_REASONS = {
    "ana": (
        "Strongest on production readiness (4.8); weakest on security and risk thinking (2.4), "
        "which lowers the balanced score by 0.32; security and risk thinking 2.4 is below the "
        "floor of 3 this GenAI brief requires"
    ),
    "ben": (
        "Strongest on applied AI delivery, data competence, production readiness and security "
        "and risk thinking (3.3); weakest on communication (2.8), which lowers the balanced "
        "score by 0.1."
    ),
    "cai": (
        "Strongest on applied AI delivery and production readiness (4.5); weakest on "
        "communication (2.5), which lowers the balanced score by 0.25; interviewers disagree "
        "on data competence: needs a debrief."
    ),
    "dev": (
        "Strongest on production readiness (5.0); weakest on communication (not scored), which "
        "lowers the balanced score by 0.85; communication was not scored and counts as 0."
    ),
}


def test_docs_worked_example_ranks_the_floor_breach_last():
    entries = compute_shortlist(DOCS_EXAMPLE, default_policy("ai_ml_engineer", is_genai=True))

    assert order(entries) == ["cai", "ben", "dev", "ana"]
    assert [entry.rank for entry in entries] == [1, 2, 3, 4]
    result = by_id(entries)

    ana = result["ana"]
    # priya's C of 5 becomes 5.2 and is clamped to 5.0; lena's 5 becomes 4.6: mean 4.8.
    assert ana.category_means == {"A": 4.4, "B": 3.4, "C": 4.8, "D": 2.4, "E": 3.4}
    assert ana.weighted_score == 3.8  # 4.18 / 1.1
    assert ana.balanced_score == 3.48  # 3.8 - 0.25 * (3.68 - 2.4)
    assert ana.below_floor == ("D",)
    assert ana.floor_overridden is False
    assert ana.confidence == 0.667
    assert ana.reason == DOCS_REASONS["ana"] + "."

    ben = result["ben"]
    assert ben.category_means == {"A": 3.3, "B": 3.3, "C": 3.3, "D": 3.3, "E": 2.8}
    assert ben.weighted_score == 3.232  # 3.555 / 1.1
    assert ben.balanced_score == 3.132
    assert ben.reason == DOCS_REASONS["ben"]

    cai = result["cai"]
    # D: tomas 3 + 0.4 and lena 3 - 0.4 average to 3.0: exactly the floor, so no breach.
    assert cai.category_means == {"A": 4.5, "B": 3.0, "C": 4.5, "D": 3.0, "E": 2.5}
    assert cai.weighted_score == 3.682  # 4.05 / 1.1
    assert cai.balanced_score == 3.432
    assert cai.below_floor == ()
    assert cai.needs_debrief == ("B",)
    assert cai.confidence == 0.6  # 2/3 * (1 - 0.1)
    assert cai.reason == DOCS_REASONS["cai"]

    dev = result["dev"]
    assert dev.category_means == {"A": 4.0, "B": 4.0, "C": 5.0, "D": 4.0, "E": None}
    assert dev.weighted_score == 3.773  # 4.15 / 1.1
    assert dev.balanced_score == 2.923  # 3.773 - 0.25 * 3.4
    assert dev.missing == ("E",)
    assert dev.confidence == 0.4  # 1/2 * 4/5
    assert dev.scorecard_count == 1
    assert dev.reason == DOCS_REASONS["dev"]


def test_docs_worked_example_with_the_executive_override():
    entries = compute_shortlist(
        DOCS_EXAMPLE, default_policy("ai_ml_engineer", is_genai=True), overrides={"ana"}
    )

    assert order(entries) == ["ana", "cai", "ben", "dev"]
    ana = entries[0]
    assert ana.below_floor == ("D",)
    assert ana.floor_overridden is True
    assert ana.balanced_score == 3.48
    assert ana.reason == DOCS_REASONS["ana"] + "; an executive overrode the floor exclusion."


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


def test_calibration_pulls_a_lenient_interviewer_towards_the_panel():
    # "lenient" gives everyone one point more than "plain" would. Means 3.5 and 2.5, panel 3.0,
    # 10 scores each: offsets +-0.5 * 10/15 = +-1/3.
    scorecards = [
        card("s1", "lenient", (4, 4, 4, 4, 4)),
        card("s2", "lenient", (3, 3, 3, 3, 3)),
        card("s3", "plain", (3, 3, 3, 3, 3)),
        card("s4", "plain", (2, 2, 2, 2, 2)),
    ]

    result = by_id(compute_shortlist(scorecards, EQUAL_WEIGHTS))

    assert result["s1"].category_means == dict.fromkeys("ABCDE", 3.667)
    assert result["s2"].category_means == dict.fromkeys("ABCDE", 2.667)
    assert result["s3"].category_means == dict.fromkeys("ABCDE", 3.333)
    assert result["s4"].category_means == dict.fromkeys("ABCDE", 2.333)
    # The raw gap of 1 point between s1 and s3 shrinks to 1/3.
    assert result["s1"].weighted_score == 3.667
    assert result["s3"].weighted_score == 3.333


def test_calibration_removes_more_of_the_gap_as_evidence_grows():
    # 20 scores each: means 4 and 2, panel 3, offsets +-1 * 20/25 = +-0.8.
    scorecards = [card(f"l{i}", "lenient", (4, 4, 4, 4, 4)) for i in range(4)]
    scorecards += [card(f"h{i}", "harsh", (2, 2, 2, 2, 2)) for i in range(4)]

    result = by_id(compute_shortlist(scorecards, EQUAL_WEIGHTS))

    assert result["l0"].weighted_score == 3.2
    assert result["h0"].weighted_score == 2.8


def test_no_calibration_for_an_interviewer_with_a_single_submission():
    # Panel mean (25 + 15 + 5) / 15 = 3.0. "once" saw one submission: a 5 may simply be a
    # strong candidate, so it stays 5. "twice" (mean 2.0, n = 10) gets -1 * 10/15 = -2/3.
    scorecards = [
        card("s1", "once", (5, 5, 5, 5, 5)),
        card("s2", "twice", (3, 3, 3, 3, 3)),
        card("s3", "twice", (1, 1, 1, 1, 1)),
    ]

    result = by_id(compute_shortlist(scorecards, EQUAL_WEIGHTS))

    assert result["s1"].category_means == dict.fromkeys("ABCDE", 5.0)
    assert result["s2"].category_means == dict.fromkeys("ABCDE", 3.667)
    assert result["s3"].category_means == dict.fromkeys("ABCDE", 1.667)


def test_calibrated_scores_are_clamped_to_the_scale():
    # Panel (25 + 0 + 20 + 20) / 20 = 3.25. "harsh" mean 2.5 -> offset -0.75 * 10/15 = -0.5;
    # "kind" mean 4.0 -> +0.5. harsh's 5 would become 5.5 and is clamped to 5.
    scorecards = [
        card("s1", "harsh", (5, 5, 5, 5, 5)),
        card("s2", "harsh", (0, 0, 0, 0, 0)),
        card("s3", "kind", (4, 4, 4, 4, 4)),
        card("s4", "kind", (4, 4, 4, 4, 4)),
    ]

    result = by_id(compute_shortlist(scorecards, EQUAL_WEIGHTS))

    assert result["s1"].weighted_score == 5.0
    assert result["s2"].weighted_score == 0.5
    assert result["s3"].weighted_score == 3.5


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

    assert result["one"].confidence == 0.5  # 1 / (1 + 1)
    assert result["three"].confidence == 0.75  # 3 / (3 + 1)
    assert result["split"].confidence == 0.675  # 0.75 * (1 - 0.1)
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
    assert blank.confidence == 0.4  # 1/2 * 4/5
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
    assert result["pair"].reason.endswith(
        "interviewers disagree on data competence: needs a debrief."
    )
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
