"""The engine's columnar input (scoring.engine.ScorecardColumns), which the shortlist service
loads straight from the database: the same results, to the last figure and word, and the same
fingerprint as the same scorecards given one ScorecardInput at a time."""

import dataclasses
import random

import pytest

from scoring.engine import (
    BriefPolicy,
    InterviewerHabit,
    ScorecardColumns,
    ScorecardInput,
    compute_shortlist_result,
    inputs_fingerprint,
)

POLICIES = [
    BriefPolicy(
        weights={"A": 3, "B": 2, "C": 2, "D": 2, "E": 1},
        floors={"A": None, "B": None, "C": 2, "D": 3, "E": None},
        is_genai=True,
    ),
    BriefPolicy(
        weights={"A": 1, "B": 1, "C": 1, "D": 1, "E": 1},
        floors={"A": None, "B": None, "C": None, "D": None, "E": None},
        is_genai=False,
    ),
]


def _rows(seed: int, submissions: int, interviewers: int) -> list[tuple]:
    rng = random.Random(seed)
    leniency = [rng.choice((-1, 0, 0, 1)) for _ in range(interviewers)]
    rows = []
    for n in range(submissions):
        level = [rng.randint(0, 5) for _ in range(5)]
        panel = rng.sample(range(interviewers), k=min(interviewers, rng.randint(1, 3)))
        for who in panel:
            scores = [
                None
                if rng.random() < 0.05
                else min(5, max(0, level[i] + leniency[who] + rng.randint(-1, 1)))
                for i in range(5)
            ]
            recommendation = rng.choice(("no", "mixed", "yes", "strong_yes", ""))
            rows.append((str(1000 + n), str(who + 1), *scores, recommendation))
    rng.shuffle(rows)
    return rows


def _cards(rows: list[tuple]) -> list[ScorecardInput]:
    return [
        ScorecardInput(
            submission_id=row[0],
            interviewer_id=row[1],
            scores=dict(zip("ABCDE", row[2:7], strict=True)),
            recommendation=row[7] or None,
        )
        for row in rows
    ]


@pytest.mark.parametrize("seed", range(6))
def test_columns_give_the_same_shortlist_as_cards(seed):
    rows = _rows(seed, submissions=60 + seed * 20, interviewers=4 + seed)
    policy = POLICIES[seed % 2]
    submission_ids = sorted({row[0] for row in rows})
    overrides = set(submission_ids[::7])
    habits = {"1": InterviewerHabit(leniency=0.8, evidence=30)} if seed % 3 == 0 else None

    from_cards = compute_shortlist_result(_cards(rows), policy, overrides, habits)
    from_columns = compute_shortlist_result(ScorecardColumns(rows), policy, overrides, habits)

    assert [dataclasses.asdict(e) for e in from_columns.entries] == [
        dataclasses.asdict(e) for e in from_cards.entries
    ]
    assert [dataclasses.asdict(i) for i in from_columns.interviewers] == [
        dataclasses.asdict(i) for i in from_cards.interviewers
    ]
    assert (from_columns.groups, from_columns.panel_mean) == (
        from_cards.groups,
        from_cards.panel_mean,
    )
    assert inputs_fingerprint(ScorecardColumns(rows), policy, overrides, habits) == (
        inputs_fingerprint(_cards(rows), policy, overrides, habits)
    )


def test_no_columns_is_an_empty_shortlist():
    result = compute_shortlist_result(ScorecardColumns([]), POLICIES[0])
    assert result.entries == [] and result.interviewers == []


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("", "1", 3, 3, 3, 3, 3, "yes"), "submission_id must be a non-empty string"),
        (("7", 1, 3, 3, 3, 3, 3, "yes"), "interviewer_id must be a non-empty string"),
        (("7", "1", 3, 6, 3, 3, 3, "yes"), "integer from 0 to 5 or None, got 6"),
        (("7", "1", 3, -1, 3, 3, 3, "yes"), "integer from 0 to 5 or None, got -1"),
        (("7", "1", 3, 2.5, 3, 3, 3, "yes"), "got 2.5"),
        (("7", "1", 3, True, 3, 3, 3, "yes"), "got True"),
        (("7", "1", 3, 3, 3, 3, 3, "maybe"), "recommendation must be one of"),
    ],
)
def test_columns_refuse_what_a_card_refuses(row, message):
    with pytest.raises(ValueError, match=message):
        ScorecardColumns([row])


def test_a_second_scorecard_of_one_interviewer_for_one_submission_is_refused():
    row = ("7", "1", 3, 3, 3, 3, 3, "yes")
    with pytest.raises(ValueError, match="interviewer 1 has more than one scorecard"):
        compute_shortlist_result(ScorecardColumns([row, row]), POLICIES[1])
