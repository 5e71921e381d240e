"""The floor for bench/api_list.py: a bare WSGI app that serves the same page of submissions
as GET /api/v1/submissions/ (same rows, same order, same keyset cursor, same JSON fields and
values) with nothing but psycopg and orjson.

Run by the benchmark under gunicorn with the API's own settings:
    gunicorn _raw_list_app:application --chdir bench ...
configured by RAW_LIST_DSN (libpq connection string), RAW_LIST_SCHEMA (the tenant's schema)
and RAW_LIST_TAG (the cursor's tag, the API viewset's basename).

Per request it does: check that an Authorization header is present (not which key it is),
read page_size and cursor, run two queries on one connection per worker process (opened on
first use and kept): the page of submissions joined to brief, candidate and agency, selecting
only the columns the response shows, keyset `(updated_at, public_id) > (%s, %s)` ordered by
(updated_at, public_id), LIMIT page_size + 1; then the stage history of those rows
(`submission_id = ANY(%s)`). The dicts are built by hand and encoded by orjson.

What it does NOT do, and the API does: look the tenant up from the Host header (the schema
is fixed here), find and hash-check the API key, check revocation, expiry, host, engagement,
key kind and scope, touch last_used_at, count the request against the per-key rate limit in
Redis, run Django's middleware stack (sessions, CSRF, security headers, messages, htmx...),
DRF content negotiation, filters (brief, stage, agency, updated_after), validation of
page_size and cursor beyond what parsing needs, problem+json errors, and the ORM (model
instances for brief, candidate and agency with all their columns, serializers).
"""

import base64
import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
import psycopg

ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

PAGE_COLUMNS = """
    s.id, s.public_id, b.public_id, c.public_id, a.public_id, a.name, s.stage,
    s.stage_changed_at, s.proof_shipped_solution, s.proof_baseline, s.proof_improvement,
    s.proof_monitoring, s.proof_quality_dip, s.proof_links, s.rate_amount::text,
    s.rate_currency, s.right_to_represent_confirmed_at, s.created_at, s.updated_at
"""
PAGE_FROM = """
    FROM hiring_submission s
    JOIN hiring_rolebrief b ON b.id = s.brief_id
    JOIN hiring_candidate c ON c.id = s.candidate_id
    JOIN tenants_agency a ON a.id = s.agency_id
"""
FIRST_PAGE_SQL = f"SELECT {PAGE_COLUMNS} {PAGE_FROM} ORDER BY s.updated_at, s.public_id LIMIT %s"
NEXT_PAGE_SQL = (
    f"SELECT {PAGE_COLUMNS} {PAGE_FROM} "
    "WHERE (s.updated_at, s.public_id) > (%s, %s) ORDER BY s.updated_at, s.public_id LIMIT %s"
)
HISTORY_SQL = """
    SELECT submission_id, from_stage, to_stage, reason, occurred_at
    FROM hiring_stagechange WHERE submission_id = ANY(%s) ORDER BY occurred_at, id
"""

_connection: psycopg.Connection[Any] | None = None


def _db() -> psycopg.Connection[Any]:
    """One connection per worker process, opened on first use and kept (like Django with
    CONN_MAX_AGE); autocommit, UTC and no server-side prepared statements, as Django sets
    its psycopg connections up."""
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(
            os.environ["RAW_LIST_DSN"], autocommit=True, prepare_threshold=None
        )
        schema = os.environ["RAW_LIST_SCHEMA"]
        _connection.execute(f'SET search_path TO "{schema}", public')
        _connection.execute("SET TIME ZONE 'UTC'")
    return _connection


def _encode_cursor(tag: str, updated_at: dt.datetime, public_id: uuid.UUID) -> str:
    raw = orjson.dumps({"r": tag, "p": [updated_at.isoformat(), str(public_id)]})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(token: str, tag: str) -> tuple[dt.datetime, uuid.UUID] | None:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if data.get("r") != tag:
            return None
        updated_at, public_id = data["p"]
        return dt.datetime.fromisoformat(updated_at), uuid.UUID(public_id)
    except (ValueError, TypeError, KeyError, AttributeError, orjson.JSONDecodeError):
        return None


def _answer(
    start_response: Callable[..., Any], status: str, body: dict[str, Any]
) -> Iterable[bytes]:
    payload = orjson.dumps(body, option=ORJSON_OPTIONS)
    start_response(
        status,
        [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
    )
    return [payload]


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if not environ.get("HTTP_AUTHORIZATION", "").startswith("Bearer "):
        return _answer(start_response, "401 Unauthorized", {"code": "not_authenticated"})
    tag = os.environ.get("RAW_LIST_TAG", "submission")
    query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
    try:
        page_size = int(query.get("page_size") or DEFAULT_PAGE_SIZE)
    except ValueError:
        page_size = 0
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        return _answer(start_response, "400 Bad Request", {"code": "validation_error"})
    token = query.get("cursor") or ""
    db = _db()
    if token:
        position = _decode_cursor(token, tag)
        if position is None:
            return _answer(start_response, "400 Bad Request", {"code": "validation_error"})
        rows = db.execute(NEXT_PAGE_SQL, (*position, page_size + 1)).fetchall()
    else:
        rows = db.execute(FIRST_PAGE_SQL, (page_size + 1,)).fetchall()
    has_more = len(rows) > page_size
    rows = rows[:page_size]

    history: dict[int, list[dict[str, Any]]] = {row[0]: [] for row in rows}
    if rows:
        for submission_id, from_stage, to_stage, reason, occurred_at in db.execute(
            HISTORY_SQL, (list(history),)
        ):
            history[submission_id].append(
                {
                    "from_stage": from_stage,
                    "to_stage": to_stage,
                    "reason": reason,
                    "occurred_at": occurred_at,
                }
            )
    results = [
        {
            "id": str(row[1]),
            "brief": str(row[2]),
            "candidate": str(row[3]),
            "agency": {"id": str(row[4]), "name": row[5]},
            "stage": row[6],
            "stage_changed_at": row[7],
            "proof": {
                "shipped_solution": row[8],
                "baseline": row[9],
                "improvement": row[10],
                "monitoring": row[11],
                "quality_dip": row[12],
                "links": row[13],
            },
            "rate_amount": row[14],
            "rate_currency": row[15],
            "right_to_represent_confirmed_at": row[16],
            "stage_history": history[row[0]],
            "created_at": row[17],
            "updated_at": row[18],
        }
        for row in rows
    ]
    next_cursor = _encode_cursor(tag, rows[-1][18], rows[-1][1]) if rows else (token or None)
    next_link = None
    if has_more and next_cursor is not None:
        # As DRF's replace_query_param: the parameters sorted, the cursor replaced.
        query["cursor"] = next_cursor
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        scheme = environ.get("wsgi.url_scheme", "http")
        next_link = f"{scheme}://{host}{environ.get('PATH_INFO', '/')}?" + urlencode(
            sorted(query.items())
        )
    return _answer(
        start_response,
        "200 OK",
        {"results": results, "has_more": has_more, "next_cursor": next_cursor, "next": next_link},
    )
