"""`Idempotency-Key` on POST: a retried request gets the first request's response.

One IdempotencyRecord per (API key, Idempotency-Key), in the client's schema. The request
runs in one transaction with its record (api.base.PartnerViewSet.dispatch): the record is
inserted first, the work follows, the response is stored, and all of it commits together.
The unique constraint decides which of two concurrent requests runs: the other's insert
waits for the first to end, then replays its stored response (or runs, if the first rolled
back). A request cut off midway (database restart, killed worker) commits nothing, so its
retry runs afresh at once. The request's fingerprint (method, path and the canonical JSON of
the body) is stored with it:

- same key, same fingerprint, finished: the stored status and body are replayed, with
  `Idempotent-Replayed: true`;
- same key, different fingerprint: 422 idempotency_key_mismatch;
- an unfinished record that is visible (written by a release before requests became one
  transaction) answers 409 idempotency_key_in_use, and is taken over by the next retry once
  IN_FLIGHT_ABANDONED_AFTER has passed;
- a response with status 5xx is not kept (the transaction rolls back) so the request can be
  retried; 2xx and 4xx responses are kept and replayed;
- records live IDEMPOTENCY_KEY_TTL_HOURS (48 h); `api.tasks.idempotency_purge` deletes older
  ones, and an expired record is never replayed even before the purge runs.
"""

import datetime as dt
import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from api.errors import IdempotencyKeyInUse, IdempotencyKeyMismatch
from api.models import IdempotencyRecord

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# Longer than any request may run (gunicorn's timeout is shorter): an unfinished record this
# old belongs to a request that died.
IN_FLIGHT_ABANDONED_AFTER = dt.timedelta(minutes=5)


class IdempotentReplay(Exception):
    """Raised before the view runs when a finished record matches: answer its response."""

    def __init__(self, record: IdempotencyRecord) -> None:
        super().__init__("replay")
        self.record = record


def record_ttl() -> dt.timedelta:
    return dt.timedelta(hours=int(settings.IDEMPOTENCY_KEY_TTL_HOURS))


def clean_idempotency_key(raw: str) -> str:
    key = raw.strip()
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise ValidationError(
            {
                IDEMPOTENCY_HEADER: [
                    f"Use 1 to {MAX_KEY_LENGTH} printable ASCII characters, e.g. a UUID."
                ]
            }
        )
    return key


def request_fingerprint(*, method: str, path: str, data: Any) -> str:
    """Same method, path and JSON body (keys in any order, any spacing) -> same fingerprint."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method}\n{path}\n{canonical}".encode()).hexdigest()


def idempotency_claim(
    *, api_key_id: int, key: str, fingerprint: str, method: str, path: str
) -> IdempotencyRecord:
    """Take the key for this request, or raise: IdempotentReplay (answer the stored response),
    IdempotencyKeyMismatch (422) or IdempotencyKeyInUse (409).

    Called inside the request's transaction (PartnerViewSet.dispatch): the insert is a
    savepoint, and a concurrent request with the same key waits on it until this request's
    transaction ends."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    api_key_id=api_key_id,
                    idempotency_key=key,
                    request_fingerprint=fingerprint,
                    method=method,
                    path=path[:500],
                )
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.filter(
            api_key_id=api_key_id, idempotency_key=key
        ).first()
        if existing is None:
            continue  # the other request failed with 5xx and released the key: take it
        now = timezone.now()
        if existing.created_at <= now - record_ttl():
            IdempotencyRecord.objects.filter(
                pk=existing.pk, created_at=existing.created_at
            ).delete()
            continue
        if existing.request_fingerprint != fingerprint:
            raise IdempotencyKeyMismatch()
        if not existing.completed:
            if existing.created_at <= now - IN_FLIGHT_ABANDONED_AFTER:
                IdempotencyRecord.objects.filter(pk=existing.pk, completed=False).delete()
                continue
            raise IdempotencyKeyInUse()
        raise IdempotentReplay(existing)
    raise IdempotencyKeyInUse()


def idempotency_finish(record: IdempotencyRecord, response: HttpResponse) -> None:
    """Keep the response for replays; or release the key when the server failed (5xx)."""
    if response.status_code >= 500:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        completed=True,
        response_status=response.status_code,
        response_body=bytes(response.content),
        response_content_type=response.get("Content-Type", ""),
    )


def replay_response(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.response_body or b""),
        status=record.response_status or 200,
        content_type=record.response_content_type or "application/json",
    )
    response[REPLAYED_HEADER] = "true"
    return response
