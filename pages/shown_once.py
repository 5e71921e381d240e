"""Secrets a page shows once (a new API key, a webhook's signing secret), after a redirect.

Post-redirect-get: the POST that creates the secret answers with a redirect, so reloading the
page that shows it never creates a second one. The secret has to cross that redirect, and
where it waits matters:

- never in the URL (it would land in the browser's history, proxies' and servers' logs);
- not in the session: sessions are rows of the database (django_session), kept for weeks and
  in its backups;
- in the cache (Redis), for `SHOWN_ONCE_SECONDS` at most, under a random 256-bit id that only
  the session knows; the page that shows it takes it out (`shown_once_take`), so a reload,
  another tab or the back button finds nothing and says so.

Cache keys carry the tenant's schema (django_tenants.cache.make_key), and the entry names
what it is for and which object, so an id kept for one key cannot show another.
"""

import secrets
from typing import Final

from django.core.cache import cache
from django.http import HttpRequest

SHOWN_ONCE_SECONDS: Final = 300
_SESSION_KEY: Final = "shown_once"


def _cache_key(token: str) -> str:
    return f"shown-once:{token}"


def _slot(purpose: str, object_id: object) -> str:
    return f"{purpose}:{object_id}"


def shown_once_keep(request: HttpRequest, *, purpose: str, object_id: object, value: str) -> None:
    """Keep `value` for the next page of this session that asks for (purpose, object_id)."""
    token = secrets.token_urlsafe(32)
    cache.set(
        _cache_key(token),
        {"slot": _slot(purpose, object_id), "value": value},
        SHOWN_ONCE_SECONDS,
    )
    slots = dict(request.session.get(_SESSION_KEY, {}))
    previous = slots.get(_slot(purpose, object_id))
    if previous:
        cache.delete(_cache_key(previous))
    slots[_slot(purpose, object_id)] = token
    request.session[_SESSION_KEY] = slots


def shown_once_take(request: HttpRequest, *, purpose: str, object_id: object) -> str | None:
    """The value kept for (purpose, object_id), once; None when it was taken already, has
    expired, or was never kept in this session."""
    slots = dict(request.session.get(_SESSION_KEY, {}))
    token = slots.pop(_slot(purpose, object_id), None)
    if token is None:
        return None
    request.session[_SESSION_KEY] = slots
    key = _cache_key(token)
    entry = cache.get(key)
    cache.delete(key)
    if not isinstance(entry, dict) or entry.get("slot") != _slot(purpose, object_id):
        return None
    value = entry.get("value")
    return value if isinstance(value, str) else None
