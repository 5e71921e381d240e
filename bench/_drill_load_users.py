"""The users of the load drill (a locustfile; bench/_drill_load.py runs locust headless on it).

- AgencyIntegration (50): an agency's applicant tracking system. Submits candidates with an
  Idempotency-Key (one key per new submission; one in five is sent a second time with the same
  key, as a client does after a lost answer, and must be replayed: same id, no new row) and
  lists its own submissions.
- ClientSync: the client's HR tool keeping a copy of all submissions: follows `next` to the
  end, keeps the last cursor and asks again from there.
- Executive: opens the shortlist pages of the open briefs (signed-in session, HTML).

Every 201 and every replay is written to DRILL_LEDGER (JSON lines), which the drill compares
with the database afterwards. DRILL_CONFIG names a JSON file with the workspace (host, keys,
briefs, session cookies, shortlist paths).
"""

import itertools
import json
import os
import random
import threading
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from locust import HttpUser, between, task

CONFIG: dict[str, Any] = json.loads(Path(os.environ["DRILL_CONFIG"]).read_text())
# Open for the whole run (line-buffered): every answer is on disk when locust stops.
LEDGER = open(os.environ["DRILL_LEDGER"], "a", buffering=1)  # noqa: SIM115
LEDGER_LOCK = threading.Lock()
PROOF = CONFIG["proof"]
_agency_keys = itertools.cycle(CONFIG["agency_keys"])
_client_keys = itertools.cycle(CONFIG["client_keys"])
_cookies = itertools.cycle(CONFIG["executive_cookies"])
BASE_HEADERS = {"Host": CONFIG["host"], "X-Forwarded-Proto": "https"}


def record(**entry: Any) -> None:
    with LEDGER_LOCK:
        LEDGER.write(json.dumps(entry) + "\n")


def target_of(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


class AgencyIntegration(HttpUser):
    fixed_count = int(os.environ.get("DRILL_AGENCY_USERS", "50"))
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.headers = {
            **BASE_HEADERS,
            "Authorization": f"Bearer {next(_agency_keys)}",
            "Accept": "application/json",
        }

    @task(3)
    def submit(self) -> None:
        key = str(uuid.uuid4())
        body = {
            "brief": random.choice(CONFIG["drill_briefs"]),
            "candidate": {
                "full_name": "Drill Candidate",
                "email": f"drill-{key}@candidates.example",
                "skills": ["python", "mlops"],
            },
            "proof": PROOF,
            "right_to_represent": True,
            "rate_amount": "95.00",
            "rate_currency": "EUR",
        }
        headers = {**self.headers, "Idempotency-Key": key, "Content-Type": "application/json"}
        data = json.dumps(body)
        with self.client.post(
            "/api/v1/submissions/", data=data, headers=headers, name="POST /submissions/",
            catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code == 201:
                record(kind="created", key=key, id=response.json()["id"])
                response.success()
            else:
                record(kind="failed", key=key, status=response.status_code)
                response.failure(f"status {response.status_code}")
                return
        if random.random() < 0.2:
            with self.client.post(
                "/api/v1/submissions/", data=data, headers=headers,
                name="POST /submissions/ (same Idempotency-Key)", catch_response=True,
            ) as again:  # fmt: skip
                replayed = again.headers.get("Idempotent-Replayed") == "true"
                if again.status_code == 201 and replayed:
                    record(kind="replayed", key=key, id=again.json()["id"])
                    again.success()
                else:
                    record(kind="replay_failed", key=key, status=again.status_code)
                    again.failure(f"status {again.status_code}, replayed={replayed}")

    @task(2)
    def list_own(self) -> None:
        self.client.get(
            "/api/v1/submissions/?page_size=50", headers=self.headers,
            name="GET /submissions/ (agency)",
        )  # fmt: skip


class ClientSync(HttpUser):
    fixed_count = int(os.environ.get("DRILL_SYNC_USERS", "6"))
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.headers = {
            **BASE_HEADERS,
            "Authorization": f"Bearer {next(_client_keys)}",
            "Accept": "application/json",
        }
        self.cursor = ""

    @task
    def sync(self) -> None:
        target = "/api/v1/submissions/?page_size=100"
        if self.cursor:
            target += f"&cursor={quote(self.cursor, safe='')}"
        for _ in range(20):  # at most 20 pages per round
            with self.client.get(
                target, headers=self.headers, name="GET /submissions/ (client sync, cursor)",
                catch_response=True,
            ) as response:  # fmt: skip
                if response.status_code != 200:
                    response.failure(f"status {response.status_code}")
                    return
                page = response.json()
            if page.get("next_cursor"):
                self.cursor = page["next_cursor"]
            if not page.get("next"):
                return
            target = target_of(page["next"])


class Executive(HttpUser):
    fixed_count = int(os.environ.get("DRILL_EXECUTIVE_USERS", "4"))
    wait_time = between(1.0, 3.0)

    def on_start(self) -> None:
        self.headers = {**BASE_HEADERS, "Cookie": f"{CONFIG['session_cookie']}={next(_cookies)}"}

    @task
    def open_shortlist(self) -> None:
        path = random.choice(CONFIG["shortlist_paths"])
        with self.client.get(
            path, headers=self.headers, name="GET /briefs/{id}/shortlist/ (page)",
            allow_redirects=False, catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
