"""Speed and agreement of the measurability checker (hiring/measurability.py) on the labelled
corpus of tests/measurability_corpus.py, beside the check it replaced: one regex pass ("a
number with a unit, or a number and a direction word"), copied here as the baseline.

No database, no Django: both checks are pure functions. Each is timed over the whole corpus,
repeated; the figure is the median time per target. Agreement is each check's share of the
hand labels.

Run: .venv/bin/python bench/measurability.py [--rounds N]
Last line: RESULT measurability targets=... checker_us=... regex_us=... ratio=... agreement=...
"""

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The check before hiring.measurability (hiring/readiness.py until this change), verbatim.
_NUMBER = r"\d+(?:[.,]\d+)?"
_UNIT = (
    r"(?:%|percent|pp|x\b|\u00d7|ms\b|milliseconds?|s\b|secs?\b|seconds?|mins?\b|minutes?|h\b|hrs?\b"
    r"|hours?|days?|weeks?|months?|years?|k\b|m\b|bn\b|usd|eur|gbp|dollars?|euros?|points?"
    r"|tickets?|requests?|users?|customers?|orders?|calls?|errors?|documents?|per\b|/)"
)
_MEASURABLE_WITH_UNIT = re.compile(rf"{_NUMBER}\s*{_UNIT}|[$€£]\s*{_NUMBER}", re.IGNORECASE)
_DIRECTION = re.compile(
    r"\b(?:reduce|cut|lower|decrease|increase|raise|grow|improve|boost|double|halve|below"
    r"|under|above|over|at least|at most|within|from|to|less than|more than|fewer than)\b",
    re.IGNORECASE,
)
_HAS_NUMBER = re.compile(_NUMBER)


def regex_is_measurable(text: str) -> bool:
    if _MEASURABLE_WITH_UNIT.search(text):
        return True
    return bool(_HAS_NUMBER.search(text) and _DIRECTION.search(text))


def _per_target_us(check: Callable[[str], object], targets: list[str], rounds: int) -> float:
    runs = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(20):
            for text in targets:
                check(text)
        runs.append((time.perf_counter() - started) / (20 * len(targets)) * 1e6)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    from hiring.measurability import is_measurable
    from tests.measurability_corpus import MEASURABLE, NOT_MEASURABLE

    labelled = [(t, True) for t in MEASURABLE] + [(t, False) for t in NOT_MEASURABLE]
    targets = [text for text, _ in labelled]

    def agreement(check: Callable[[str], bool]) -> float:
        return sum(check(text) == label for text, label in labelled) / len(labelled)

    checker_us = _per_target_us(is_measurable, targets, args.rounds)
    regex_us = _per_target_us(regex_is_measurable, targets, args.rounds)
    print(f"checker: {checker_us:.1f} us per target, agreement {agreement(is_measurable):.1%}")
    print(
        f"old regex: {regex_us:.1f} us per target, agreement {agreement(regex_is_measurable):.1%}"
    )
    print(
        f"RESULT measurability targets={len(targets)} checker_us={checker_us:.2f} "
        f"regex_us={regex_us:.2f} ratio={checker_us / regex_us:.1f} "
        f"agreement={agreement(is_measurable):.3f} "
        f"regex_agreement={agreement(regex_is_measurable):.3f}"
    )


if __name__ == "__main__":
    main()
