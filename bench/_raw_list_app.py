"""The floor for bench/api_list.py: a bare WSGI app that serves the same page of submissions
as GET /api/v1/submissions/ (same rows, same order, same keyset cursor, same JSON fields and
values) with nothing but psycopg and orjson.

Run by the benchmark under gunicorn with the API's own settings:
    gunicorn _raw_list_app:application --chdir bench ...
configured by RAW_LIST_DSN (libpq connection string), RAW_LIST_SCHEMA (the tenant's schema),
RAW_LIST_KEY_ID (the bench key's row id) and RAW_LIST_SECRET_KEY (the Django SECRET_KEY).

Cursors are signed as the API signs them (api/pagination.py): django.core.signing's
TimestampSigner format (base64 JSON, a base62 timestamp, an HMAC-SHA256 signature salted
with the binding of workspace, key, path, ordering and filters), written out by hand with
hmac and hashlib; a presented cursor's signature is checked the same way. The timestamp is
the second the page was served, so two servers' cursors differ in their last two parts when
they answer in different seconds: the benchmark compares the payloads and checks both
signatures.

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
import hashlib
import hmac
import os
import time
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
    s.rate_currency, s.right_to_represent_confirmed_at, s.created_at, s.updated_at,
    s.proof_domain, s.proof_alert_thresholds, s.proof_rollback, s.proof_input_validation,
    s.proof_iteration, s.proof_metric, s.proof_metric_unit, s.proof_baseline_value::text,
    s.proof_result_value::text, s.proof_monitoring_signals,
    CASE WHEN s.consent_state = 'pending' AND s.consent_expires_at <= now() THEN 'expired'
         ELSE s.consent_state END,
    s.consent_requested_at, s.consent_expires_at, s.consent_answered_at
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


CURSOR_SALT = "api.pagination.cursor:"
ORDERING = ["updated_at", "public_id"]
UNBOUND_PARAMS = frozenset({"cursor", "page_size", "updated_after"})
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _b62(number: int) -> str:
    digits = ""
    while number > 0:
        number, remainder = divmod(number, 62)
        digits = BASE62[remainder] + digits
    return digits or "0"


def _binding(path: str, query: dict[str, str]) -> str:
    filters = sorted((name, [value]) for name, value in query.items() if name not in UNBOUND_PARAMS)
    return (
        CURSOR_SALT
        + orjson.dumps(
            {
                "schema": os.environ["RAW_LIST_SCHEMA"],
                "key": int(os.environ["RAW_LIST_KEY_ID"]),
                "path": path,
                "ordering": ORDERING,
                "filters": filters,
            }
        ).decode()
    )


def _signature(binding: str, value: str) -> str:
    # django.utils.crypto.salted_hmac(salt + "signer", value, SECRET_KEY, algorithm="sha256")
    key = hashlib.sha256((binding + "signer" + os.environ["RAW_LIST_SECRET_KEY"]).encode())
    return _b64(hmac.new(key.digest(), value.encode(), hashlib.sha256).digest())


def _encode_cursor(binding: str, updated_at: dt.datetime, public_id: uuid.UUID) -> str:
    value = (
        f"{_b64(orjson.dumps([updated_at.isoformat(), str(public_id)]))}:{_b62(int(time.time()))}"
    )
    return f"{value}:{_signature(binding, value)}"


def _decode_cursor(token: str, binding: str) -> tuple[dt.datetime, uuid.UUID] | None:
    try:
        value, signature = token.rsplit(":", 1)
        if not hmac.compare_digest(signature, _signature(binding, value)):
            return None
        payload = value.rsplit(":", 1)[0]
        updated_at, public_id = orjson.loads(
            base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        )
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
    query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
    binding = _binding(environ.get("PATH_INFO", "/"), query)
    try:
        page_size = int(query.get("page_size") or DEFAULT_PAGE_SIZE)
    except ValueError:
        page_size = 0
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        return _answer(start_response, "400 Bad Request", {"code": "validation_error"})
    token = query.get("cursor") or ""
    db = _db()
    if token:
        position = _decode_cursor(token, binding)
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
                "domain": row[19],
                "baseline": row[9],
                "improvement": row[10],
                "monitoring": row[11],
                "alert_thresholds": row[20],
                "quality_dip": row[12],
                "rollback": row[21],
                "input_validation": row[22],
                "iteration": row[23],
                "metric": row[24],
                "metric_unit": row[25],
                "baseline_value": row[26],
                "result_value": row[27],
                "monitoring_signals": row[28],
                "links": row[13],
            },
            "rate_amount": row[14],
            "rate_currency": row[15],
            "right_to_represent_confirmed_at": row[16],
            "consent": {
                "state": row[29],
                "requested_at": row[30],
                "expires_at": row[31],
                "answered_at": row[32],
            },
            "stage_history": history[row[0]],
            "created_at": row[17],
            "updated_at": row[18],
        }
        for row in rows
    ]
    next_cursor = _encode_cursor(binding, rows[-1][18], rows[-1][1]) if rows else (token or None)
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
