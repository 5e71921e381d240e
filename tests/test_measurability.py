"""The measurability checker against a corpus of targets labelled by hand (no database).

Speed is measured by bench/measurability.py, not here: a timed test fails on a busy machine."""

import pytest

from hiring.measurability import measurability_check
from tests.measurability_corpus import MEASURABLE, NOT_MEASURABLE

REQUIRED_AGREEMENT = 0.95


def test_corpus_is_big_and_balanced():
    assert len(MEASURABLE) >= 42 and len(NOT_MEASURABLE) >= 42
    assert abs(len(MEASURABLE) - len(NOT_MEASURABLE)) <= 2
    assert len(set(MEASURABLE) | set(NOT_MEASURABLE)) == len(MEASURABLE) + len(NOT_MEASURABLE)


def test_the_checker_agrees_with_the_labelled_corpus():
    labelled = [(text, True) for text in MEASURABLE] + [(text, False) for text in NOT_MEASURABLE]
    wrong = [
        (text, label) for text, label in labelled if measurability_check(text).measurable != label
    ]
    agreement = 1 - len(wrong) / len(labelled)
    print(f"measurability agreement: {agreement:.1%} on {len(labelled)} targets; wrong: {wrong}")
    assert agreement >= REQUIRED_AGREEMENT, wrong


@pytest.mark.parametrize(
    "text",
    [
        "Cut false positives by a third",
        "Double the contracts reviewed per analyst per day",
        "Halve the time underwriters spend on manual document checks",
    ],
)
def test_fractions_in_words_are_amounts(text):
    result = measurability_check(text)
    assert result.measurable, result.explanation
    assert result.explanation == "Measurable: it names a metric, the direction and an amount."


@pytest.mark.parametrize(
    ("text", "missing", "note"),
    [
        ("Move to Python 3", "give an amount", "version number"),
        ("Upgrade to Django 5.2 and PostgreSQL 16", "give an amount", "version number"),
        ("Migrate 4 services to Kubernetes", "give an amount", "things to build"),
        ("Available 24/7", "name what is measured", "slogan"),
        ("Improve by 15%", "name what is measured", ""),
        ("Improve model accuracy", "give an amount", ""),
        ("Model accuracy of 92%", "say which way it must move", ""),
    ],
)
def test_the_checker_says_in_words_what_is_missing(text, missing, note):
    result = measurability_check(text)
    assert not result.measurable
    assert missing in result.explanation
    assert note in result.explanation
    assert result.explanation.startswith("The target is not measurable yet: ")


def test_a_short_deadline_is_a_target_and_a_long_one_a_time_frame():
    assert measurability_check("Resolve payment disputes within 2 days").measurable
    assert not measurability_check("Rebuild the dispute workflow within two quarters").measurable
