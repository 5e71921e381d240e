"""Accepted API keys remembered per process for a few seconds, so that a partner walking a
list does not pay a key look-up on every page (docs/performance.md, "Partner API list").

Only keys that matched are remembered, under the SHA-256 of the whole presented key (the
hash check is what put them here: a different key has a different hash and is looked up).
Entries live `API_KEY_CACHE_SECONDS` (default 5; 0 turns the memory off, as in tests).
Revoking a key, or saving or deleting a key or an agency, forgets every remembered key of
this process at once and again on commit; other processes follow within the period. So a
revoked key, or the key of an agency just deactivated, can still answer in another web
process for up to 5 seconds: the same trade-off as host routing (docs/architecture.md). What
the checks read on every request (revocation, expiry, host, engagement, scopes) is read
from the remembered row, and each request works on its own copy of it.
"""

import copy
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from tenants.models import Agency, ApiKey

MAX_KEYS = 10_000

_remembered: dict[str, tuple[float, ApiKey]] = {}


def _seconds() -> float:
    return float(getattr(settings, "API_KEY_CACHE_SECONDS", 0) or 0)


def remembered_api_key(hashed: str) -> ApiKey | None:
    """A copy of the key row remembered under this hash, while it is fresh."""
    hit = _remembered.get(hashed)
    if hit is None:
        return None
    expires, api_key = hit
    if time.monotonic() >= expires or _seconds() <= 0:
        _remembered.pop(hashed, None)
        return None
    return copy.copy(api_key)


def remember_api_key(hashed: str, api_key: ApiKey) -> None:
    seconds = _seconds()
    if seconds <= 0:
        return
    if len(_remembered) >= MAX_KEYS:
        _remembered.clear()
    _remembered[hashed] = (time.monotonic() + seconds, copy.copy(api_key))


def note_api_key_used(hashed: str, last_used_at: Any) -> None:
    """The remembered row follows the last_used_at just written (no write on every page)."""
    hit = _remembered.get(hashed)
    if hit is not None:
        hit[1].last_used_at = last_used_at


def forget_api_keys() -> None:
    """Forget every remembered key of this process, now and when the transaction commits."""
    _remembered.clear()
    transaction.on_commit(_remembered.clear)


def _forget_on_change(sender: Any, **kwargs: Any) -> None:
    forget_api_keys()


def connect_signals() -> None:
    for model in (ApiKey, Agency):
        post_save.connect(_forget_on_change, sender=model, dispatch_uid=f"api-key-cache-{model}")
        post_delete.connect(
            _forget_on_change, sender=model, dispatch_uid=f"api-key-cache-del-{model}"
        )
