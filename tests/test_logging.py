"""Logs: JSON lines with request id, tenant and actor; never a secret or a person's data.

The canary test plants one random marker in the headers, bodies and query strings of page and
API requests (an API key in a query string among them, which the API refuses) and in the
arguments of tasks run by a real worker, captures every line the process writes (at DEBUG,
below production's INFO) plus gunicorn's access lines built by the project's logger class, and
finds the marker nowhere.
"""

import datetime as dt
import io
import json
import logging
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from celery import current_app, shared_task
from django.test import Client as HttpClient
from gunicorn.config import Config as GunicornConfig

import scoring.tasks  # noqa: F401  (registers the shortlist tasks with the test worker)
from hiring.models import BriefStatus
from observability.context import request_id_accept
from observability.gunicorn_logging import JsonLogger
from observability.logs import formatter
from observability.redaction import query_redact, text_scrub
from tenants.schema import current_schema_name
from tenants.tasks import send_to_tenant
from tests.api_support import make_key, submission_body
from tests.conftest import host_of
from tests.factories import RoleBriefFactory, ready_brief_data

LOGGERS_WITH_OWN_HANDLERS = ("gunicorn.access", "gunicorn.error", "django.server")


@pytest.fixture
def captured() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """Every line written through the project's JSON formatter while the test runs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter("json"))
    root = logging.getLogger()
    previous_level = root.level
    targets = [root, *(logging.getLogger(name) for name in LOGGERS_WITH_OWN_HANDLERS)]
    for logger in targets:
        logger.addHandler(handler)
    root.setLevel(logging.DEBUG)

    def lines() -> list[dict[str, Any]]:
        handler.flush()
        return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]

    try:
        yield lines
    finally:
        root.setLevel(previous_level)
        for logger in targets:
            logger.removeHandler(handler)


def gunicorn_access_line(response: Any, duration_ms: int = 12) -> None:
    """What gunicorn writes after Django returned this response, with the project's logger
    class as config/gunicorn.conf.py sets it."""
    cfg = GunicornConfig()
    cfg.set("accesslog", "-")
    logger = JsonLogger(cfg)
    environ = response.wsgi_request.environ
    resp = SimpleNamespace(
        status=f"{response.status_code} {response.reason_phrase}",
        headers=list(response.items()),
        sent=len(getattr(response, "content", b"")),
    )
    logger.access(
        resp, SimpleNamespace(headers=[]), environ, dt.timedelta(milliseconds=duration_ms)
    )


@pytest.mark.worker
def test_no_planted_canary_reaches_any_log_line(
    tenant_a, as_role, celery_worker, captured, in_tenant
):
    marker = secrets.token_hex(8)

    def canary(label: str) -> str:
        return f"cn{marker}{label}"

    admin = as_role(tenant_a, "admin")
    recruiter = as_role(tenant_a, "recruiter")
    with in_tenant(tenant_a):
        brief = RoleBriefFactory(**ready_brief_data(), shared_with_all_engaged=True)
    agency_key, raw_agency_key = make_key(tenant_a, agency=recruiter.agency)
    secret_part = raw_agency_key[len(agency_key.prefix) :]
    assert len(secret_part) > 20
    spoiled_headers = {
        "HTTP_AUTHORIZATION": f"Bearer {canary('bearer')}",
        "HTTP_USER_AGENT": f"Mozilla/5.0 {canary('agent')}",
        "HTTP_REFERER": f"https://elsewhere.example/?t={canary('referer')}",
        "HTTP_X_FORWARDED_FOR": canary("forwarded"),
        "HTTP_X_API_KEY": canary("xapikey"),
        "HTTP_X_REQUEST_ID": f"{canary('requestid')} <script>",
    }
    admin.http.cookies["tracking"] = canary("cookie")
    query = (
        f"q={canary('q')}&email={canary('email')}%40example.com&api_key={canary('apikey')}"
        f"&key={canary('key')}&token={canary('token')}&password={canary('password')}"
        f"&secret={canary('secret')}&access_token={canary('accesstoken')}&page=2"
    )
    responses = []

    # Pages: a list with a spoiled query and headers, a 404, a form post, sign-in.
    responses.append(admin.http.get(f"/briefs/?{query}", **spoiled_headers))
    responses.append(admin.http.get(f"/briefs/{uuid.uuid4()}/?{query}", **spoiled_headers))
    responses.append(
        admin.http.post(
            "/briefs/new/",
            {**ready_brief_data(), "title": canary("title"), "business_goal": canary("goal")},
            **spoiled_headers,
        )
    )
    recruiter_post = recruiter.http.post(
        f"/briefs/{brief.public_id}/submit/",
        {
            "full_name": canary("fullname"),
            "email": f"{canary('mail')}@mail.example.test",
            "phone": "+1 202 555 0143",
            "summary": canary("summary"),
            "right_to_represent": "on",
        },
    )
    responses.append(recruiter_post)
    anonymous = HttpClient(HTTP_HOST=host_of(tenant_a))
    responses.append(
        anonymous.post(
            "/accounts/login/",
            {"username": f"{canary('login')}@example.com", "password": canary("pw")},
        )
    )
    responses.append(anonymous.get(f"/accounts/unsubscribe/{canary('unsubscribe')}/"))
    # The candidate's consent link: a token in the path, on a page without sign-in.
    responses.append(anonymous.get(f"/consent/{canary('consent')}/"))

    # The API: a key in the query string (refused), a wrong key, a real submission with an
    # idempotency key, broken JSON, a missing object.
    partner = HttpClient(HTTP_HOST=host_of(tenant_a))
    refused = partner.get(f"/api/v1/briefs/?api_key=ahk_{canary('urlkey')}")
    assert refused.status_code == 401
    assert refused.json()["code"] == "key_in_query_string"
    responses.append(refused)
    responses.append(
        partner.get("/api/v1/briefs/", HTTP_AUTHORIZATION=f"Bearer ahk_{canary('wrongkey')}")
    )
    agency_api = HttpClient(
        HTTP_HOST=host_of(tenant_a), HTTP_AUTHORIZATION=f"Bearer {raw_agency_key}"
    )
    body = submission_body(brief.public_id, email=f"{canary('apimail')}@example.test")
    body["candidate"]["full_name"] = canary("apiname")
    created = agency_api.post(
        f"/api/v1/submissions/?note={canary('apiquery')}",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=canary("idempotency"),
    )
    assert created.status_code == 201, created.content
    responses.append(created)
    responses.append(
        agency_api.post(
            "/api/v1/submissions/",
            data=f'{{"brief": "{canary("badjson")}", ',
            content_type="application/json",
        )
    )
    missing = agency_api.get(f"/api/v1/submissions/{uuid.uuid4()}/?q={canary('apiq')}")
    assert missing.status_code == 404
    responses.append(missing)

    # Tasks run by the worker: one that succeeds and one that fails on its argument.
    unknown_brief = f"00000000-0000-4000-8000-{marker[:12]}"
    failing = current_app.send_task(
        "scoring.tasks.shortlists.shortlist_recompute",
        kwargs={"brief_public_id": canary("taskarg")},
        headers={"_schema_name": tenant_a.schema_name},
    )
    succeeding = current_app.send_task(
        "scoring.tasks.shortlists.shortlist_recompute",
        kwargs={"brief_public_id": unknown_brief},
        headers={"_schema_name": tenant_a.schema_name},
    )
    assert succeeding.get(timeout=30) is None
    failing.get(timeout=30, propagate=False)
    assert failing.state == "FAILURE"

    for response in responses:
        gunicorn_access_line(response)

    lines = captured()
    text = "\n".join(json.dumps(line) for line in lines)
    assert marker not in text, [line for line in lines if marker in json.dumps(line)]
    assert secret_part not in text
    assert raw_agency_key not in text

    # What the lines do say.
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert len(access) == len(responses)
    briefs_line = access[0]
    assert briefs_line["route"] == "hiring:brief_list"
    assert briefs_line["tenant"] == tenant_a.schema_name
    assert briefs_line["user_id"] == str(admin.user.public_id)
    assert briefs_line["query"].startswith("q=[redacted]&email=[redacted]&api_key=[redacted]")
    assert briefs_line["query"].endswith("&page=2")
    assert briefs_line["request_id"] == responses[0]["X-Request-ID"]
    assert briefs_line["request_id"] != spoiled_headers["HTTP_X_REQUEST_ID"]
    unsubscribe_line = access[5]
    assert unsubscribe_line["path"] == "/accounts/unsubscribe/[redacted]/"
    assert access[6]["path"] == "/consent/[redacted]/"
    created_line = next(line for line in access if line["status"] == 201)
    assert created_line["api_key_prefix"] == agency_key.prefix
    assert created_line["route"] == "api:submission-list"
    assert "user_id" not in created_line

    not_found = [line for line in lines if line["event"].startswith("Not Found")]
    page_404 = next(line for line in not_found if "/briefs/" in line["event"])
    assert page_404["tenant"] == tenant_a.schema_name
    assert page_404["user_id"] == str(admin.user.public_id)
    assert page_404["request_id"] == responses[1]["X-Request-ID"]
    api_404 = next(line for line in not_found if "/api/v1/submissions/" in line["event"])
    assert api_404["api_key_prefix"] == agency_key.prefix

    task_lines = [line for line in lines if line.get("task_id") == failing.id]
    assert task_lines, "the failing task wrote no line"
    assert all(line["tenant"] == tenant_a.schema_name for line in task_lines)
    assert any(line["level"] == "error" and "[redacted]" in json.dumps(line) for line in task_lines)


def test_a_request_id_is_kept_when_well_formed_and_replaced_otherwise(tenant_a, db):
    http = HttpClient(HTTP_HOST=host_of(tenant_a))
    kept = http.get("/healthz", {"scope": "web"}, HTTP_X_REQUEST_ID="lb-7f3a.9c_01")
    assert kept["X-Request-ID"] == "lb-7f3a.9c_01"
    for bad in ("", "a" * 129, "id with spaces", "id\r\nSet-Cookie: x=1", "-leading", "ü-umlaut"):
        replaced = http.get("/healthz", {"scope": "web"}, HTTP_X_REQUEST_ID=bad)
        assert replaced["X-Request-ID"] != bad
        assert len(replaced["X-Request-ID"]) == 32
    fresh = {http.get("/healthz", {"scope": "web"})["X-Request-ID"] for _ in range(3)}
    assert len(fresh) == 3
    assert request_id_accept("a" * 128) == "a" * 128


@pytest.mark.worker
def test_tasks_queued_by_a_request_log_with_its_request_id(
    tenant_a, as_role, celery_worker, captured, in_tenant
):
    """Opening a brief records an event; the relay that the commit kicks logs with the request
    id of the page that opened it."""
    admin = as_role(tenant_a, "admin")
    with in_tenant(tenant_a):
        brief = RoleBriefFactory(
            **ready_brief_data(), status=BriefStatus.DRAFT, shared_with_all_engaged=False
        )
    response = admin.http.post(
        f"/briefs/{brief.public_id}/open/",
        {"share_with": "all"},
        HTTP_X_REQUEST_ID="open-brief-0001",
    )
    assert response.status_code in (200, 302), response.content
    assert response["X-Request-ID"] == "open-brief-0001"

    def ours(line: dict[str, Any]) -> bool:
        # Other tests' tasks may still be finishing in the shared worker: this request's only.
        return line.get("request_id") == "open-brief-0001" and "succeeded" in line["event"]

    def relayed() -> list[dict[str, Any]]:
        return [
            line
            for line in captured()
            if ours(line) and line["task"] == "outbox.tasks.outbox_relay"
        ]

    deadline = time.monotonic() + 20
    while not relayed() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert relayed(), "no relay ran with the request's id"
    assert relayed()[0]["tenant"] == tenant_a.schema_name


CHAIN_TASK = "tests.test_logging.chain_probe"


@shared_task(name=CHAIN_TASK)
def chain_probe(*, hops: int) -> int:
    """Queues itself again until hops runs out, as the relay queues its consumers."""
    if hops > 0:
        send_to_tenant(
            task_name=CHAIN_TASK, schema_name=current_schema_name(), kwargs={"hops": hops - 1}
        )
    return hops


@pytest.mark.worker
def test_a_task_passes_its_request_id_to_the_tasks_it_queues(tenant_a, celery_worker, captured):
    from observability.celery_signals import REQUEST_ID_HEADER

    current_app.send_task(
        CHAIN_TASK,
        kwargs={"hops": 2},
        headers={"_schema_name": tenant_a.schema_name, REQUEST_ID_HEADER: "chain-0001"},
    )

    def finished() -> list[dict[str, Any]]:
        return [
            line
            for line in captured()
            if line.get("task") == CHAIN_TASK and "succeeded" in line["event"]
        ]

    deadline = time.monotonic() + 20
    while len(finished()) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    lines = finished()
    assert len(lines) == 3
    assert len({line["task_id"] for line in lines}) == 3
    assert {line["request_id"] for line in lines} == {"chain-0001"}
    assert {line["tenant"] for line in lines} == {tenant_a.schema_name}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /x?api_key=abc&page=2", "GET /x?api_key=[redacted]&page=2"),
        ("Authorization: Bearer ahk_abcdefghijkl_s3cr3t", "Authorization: Bearer [redacted]"),
        ("key ahk_abcdefghijkl_s3cr3t-value", "key ahk_abcdefghijkl_[redacted]"),
        ("key ahk_abcdefghijkl was revoked", "key ahk_abcdefghijkl was revoked"),
        ("ahk_notakey", "ahk_[redacted]"),
        ("postgres://app:hunter2@db:5432/x", "postgres://app:[redacted]@db:5432/x"),
        ('{"password": "hunter2"}', '{"password": "[redacted]"}'),
        ("client_secret=abc; other", "client_secret=[redacted]; other"),
        (
            "Key (email)=(ada@example.com) already exists.",
            "Key (email)=([redacted]) already exists.",
        ),
        ("mail to ada.l@example.co.uk failed", "mail to [email] failed"),
        (
            "https://hooks.example.com/in?sig=1&status=open",
            "https://hooks.example.com/in?sig=[redacted]&status=open",
        ),
        ("import job 12 stopped after 40 rows", "import job 12 stopped after 40 rows"),
    ],
)
def test_the_text_safety_net(text, expected):
    assert text_scrub(text) == expected


def test_query_strings_keep_only_harmless_values():
    assert query_redact("page=3&status=open&q=ada&token=x&=1") == (
        "page=3&status=open&q=[redacted]&token=[redacted]&[redacted]=[redacted]"
    )
    assert query_redact("status=" + "x" * 65) == "status=[redacted]"
    assert query_redact("ada%40example.com=1") == "[redacted]=[redacted]"
    assert query_redact("a=1&" * 30).endswith("&...")
