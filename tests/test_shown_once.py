"""pages.shown_once: a secret crosses one redirect, for its own object and session, once."""

import pytest
from django.contrib.sessions.backends.cache import SessionStore
from django.core.cache import cache
from django.test import RequestFactory

from pages import shown_once
from pages.shown_once import shown_once_keep, shown_once_take


def _request(session: SessionStore | None = None):
    request = RequestFactory().get("/")
    request.session = session if session is not None else SessionStore()
    return request


@pytest.mark.django_db
def test_a_kept_value_is_taken_once_by_its_own_slot_only():
    request = _request()
    shown_once_keep(request, purpose="api_key", object_id="k1", value="ahk_secret")
    # The session holds only a random id, never the value.
    assert "ahk_secret" not in str(dict(request.session))
    assert shown_once_take(request, purpose="api_key", object_id="k2") is None
    assert shown_once_take(request, purpose="webhook_secret", object_id="k1") is None
    assert shown_once_take(request, purpose="api_key", object_id="k1") == "ahk_secret"
    assert shown_once_take(request, purpose="api_key", object_id="k1") is None
    # Another session (another person, another browser) finds nothing.
    shown_once_keep(request, purpose="api_key", object_id="k1", value="ahk_again")
    assert shown_once_take(_request(), purpose="api_key", object_id="k1") is None


@pytest.mark.django_db
def test_it_waits_in_the_cache_for_a_few_minutes_at_most(monkeypatch):
    kept = {}
    real_set = cache.set
    monkeypatch.setattr(
        shown_once.cache,
        "set",
        lambda key, value, timeout: kept.update(timeout=timeout) or real_set(key, value, timeout),
    )
    request = _request()
    shown_once_keep(request, purpose="api_key", object_id="k1", value="ahk_secret")
    assert kept["timeout"] == shown_once.SHOWN_ONCE_SECONDS <= 300
    # Expired (or evicted): nothing to show, and no error.
    cache.clear()
    assert shown_once_take(request, purpose="api_key", object_id="k1") is None
