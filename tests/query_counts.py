"""Exact query counts, the one helper of the test suite for them.

- `assert_query_count(expected)` captures the queries of a block on the default connection
  and fails, listing every statement (numbered), unless exactly `expected` ran.
- `assert_query_count_flat(expected, add_rows=..., run=...)` is Launchpad's two-run check:
  it runs the same page, endpoint or write with 1 row and with 100 rows and requires both
  runs to cost exactly `expected` queries, so a query per row (an N+1) fails however it hides.
- `assert_same_query_count(few, many, ...)` compares two runs of background work measured on
  data built separately for each (a reminders run, a shortlist computation).
- `captured_sql()` only records, for tests that assert on which statements ran.

Counts are exact on purpose: a count that went down is worth pinning lower, and one that went
up is a change someone should look at. Every statement counts, `SET search_path` included:
it is a round trip like any other.
"""

import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

# Long statements (an INSERT of every column, a SELECT of a wide model) are shortened in the
# middle, so the listing stays readable and the FROM and WHERE parts stay in view.
SQL_SHOWN = 500
FLAT_ROWS = (1, 100)


def _shorten(sql: str) -> str:
    if len(sql) <= SQL_SHOWN:
        return sql
    half = SQL_SHOWN // 2
    return f"{sql[:half]} ...[{len(sql) - SQL_SHOWN} characters]... {sql[-half:]}"


def sql_listing(statements: list[str]) -> str:
    """Every statement, numbered from 1, one per line."""
    width = len(str(len(statements)))
    return "\n".join(
        f"  {number:>{width}}. {_shorten(sql)}" for number, sql in enumerate(statements, start=1)
    )


def _shape(sql: str) -> str:
    """A statement with its literal values taken out: the same query for another row has the
    same shape."""
    sql = re.sub(r'"s\d+_x\d+"', '"s?"', sql)  # savepoint names
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(?:\.\d+)?\b", "?", sql)
    return re.sub(r"\(\?(?:, \?)*\)", "(?...)", sql)


def _grown(few: list[str], many: list[str]) -> str:
    """The statement shapes that ran more often with many rows than with few."""
    more = Counter(_shape(sql) for sql in many) - Counter(_shape(sql) for sql in few)
    if not more:
        return ""
    lines = [f"  +{times} x {_shorten(shape)}" for shape, times in more.most_common()]
    return "Statements that ran more often with more rows:\n" + "\n".join(lines)


@contextmanager
def captured_sql() -> Iterator[list[str]]:
    """`with captured_sql() as sql:` - the statements the block ran, filled in when it ends."""
    statements: list[str] = []
    with CaptureQueriesContext(connection) as context:
        yield statements
    statements.extend(query["sql"] for query in context.captured_queries)


@contextmanager
def assert_query_count(expected: int, *, label: str = "") -> Iterator[list[str]]:
    """Fail unless the block runs exactly `expected` queries; the failure lists them."""
    with captured_sql() as statements:
        yield statements
    if len(statements) != expected:
        what = f"{label}: " if label else ""
        pytest.fail(
            f"{what}expected {expected} queries, {len(statements)} ran:\n{sql_listing(statements)}",
            pytrace=False,
        )


def assert_query_count_flat[T](
    expected: int,
    *,
    add_rows: Callable[[int], object],
    run: Callable[[], T],
    label: str = "",
    warm_up: bool = True,
) -> tuple[T, T]:
    """Run `run` with 1 row and with 100 rows; both must cost exactly `expected` queries.

    `add_rows(n)` adds n more rows of what the page lists (it is called with 1, then 99).
    With `warm_up` the first run is made once before counting: what a process does once
    (an API key's `last_used_at`, a session touched on first use) is not the page's cost.
    Returns the results of the two counted runs (1 row, 100 rows), so the test can check
    that the rows really were listed.
    """
    few_rows, many_rows = FLAT_ROWS
    add_rows(few_rows)
    if warm_up:
        run()
    with captured_sql() as few:
        result_few = run()
    add_rows(many_rows - few_rows)
    with captured_sql() as many:
        result_many = run()
    if len(few) == len(many) == expected:
        return result_few, result_many
    what = f"{label}: " if label else ""
    report = [
        f"{what}expected {expected} queries with {few_rows} and with {many_rows} rows; "
        f"{len(few)} ran with {few_rows}, {len(many)} with {many_rows}."
    ]
    if len(few) != expected:
        report.append(f"With {few_rows} row{'s' if few_rows != 1 else ''}:\n{sql_listing(few)}")
    if len(many) != expected or len(many) != len(few):
        report.append(f"With {many_rows} rows:\n{sql_listing(many)}")
    grown = _grown(few, many) if len(many) > len(few) else ""
    if grown:
        report.append(grown)
    pytest.fail("\n\n".join(report), pytrace=False)


def assert_same_query_count(
    few: list[str], many: list[str], *, label: str, few_rows: str, many_rows: str
) -> None:
    """Fail unless two runs over few and over many rows (described by `few_rows` and
    `many_rows`, e.g. "3 submissions") ran as many statements; the failure lists both runs
    and the statements that ran more often. For background work measured on data built
    differently for each run; pages, API lists and the busy writes pin an exact count with
    `assert_query_count_flat`."""
    if len(few) == len(many):
        return
    report = [
        f"{label}: {len(few)} queries with {few_rows}, {len(many)} with {many_rows}.",
        f"With {few_rows}:\n{sql_listing(few)}",
        f"With {many_rows}:\n{sql_listing(many)}",
    ]
    grown = _grown(few, many) if len(many) > len(few) else ""
    if grown:
        report.append(grown)
    pytest.fail("\n\n".join(report), pytrace=False)
