"""The sessions a person has open, so they can be listed and ended.

Every sign-in (password, second factor, single sign-on, hand-off, invitation, reset) records
an `AccountSession` through Django's `user_logged_in` signal. A session opened from another by
the dashboard's hand-off joins its `family`: one browser's sessions on several hosts.

- Signing out (`user_logged_out`) ends the whole family: the browser is signed out of the
  public host and of every workspace it opened from there.
- "Sign out of other sessions" ends every family but the current one.
- A password change or reset ends them too (Django refuses sessions whose password hash is
  old; the rows and stored sessions are deleted here as well).
"""

import re
import uuid
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.http import HttpRequest

from accounts.models import AccountSession, SignInMethod
from tenants.models import User

FAMILY_SESSION_KEY = "account_session_family"
# Set on the request by a view just before it calls login(): how this session began.
METHOD_ATTRIBUTE = "_account_sign_in_method"
FAMILY_ATTRIBUTE = "_account_session_family"

_BROWSERS = (
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def browser_label(user_agent: str) -> str:
    """ "Chrome on Linux": enough to recognise a session, without keeping the user agent."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "A browser")
    system = next((name for mark, name in _SYSTEMS if re.search(re.escape(mark), user_agent)), "")
    return f"{browser} on {system}" if system else browser


def _store(session_key: str) -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def sign_in_method_set(request: HttpRequest, method: str, *, family: str | None = None) -> None:
    setattr(request, METHOD_ATTRIBUTE, method)
    if family:
        setattr(request, FAMILY_ATTRIBUTE, family)


def _on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    family = getattr(request, FAMILY_ATTRIBUTE, None) or str(uuid.uuid4())
    request.session[FAMILY_SESSION_KEY] = family
    AccountSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "family": family,
            # force_login's request has no host at all.
            "host": str(request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")).split(
                ":"
            )[0][:253],
            "method": getattr(request, METHOD_ATTRIBUTE, SignInMethod.PASSWORD),
            "browser": browser_label(request.headers.get("User-Agent", "")),
        },
    )


def _end(rows: Any, *, keep: str | None = None) -> int:
    ended = 0
    for key in rows.values_list("session_key", flat=True):
        if key != keep:
            _store(key).delete()
            ended += 1
    rows.delete()
    return ended


def _on_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if request is None or user is None or not hasattr(request, "session"):
        return
    family = request.session.get(FAMILY_SESSION_KEY)
    current = request.session.session_key
    if family:
        _end(AccountSession.objects.filter(user=user, family=family), keep=current)
    AccountSession.objects.filter(session_key=current).delete()


def connect_signals() -> None:
    user_logged_in.connect(_on_login, dispatch_uid="accounts.sessions.login")
    user_logged_out.connect(_on_logout, dispatch_uid="accounts.sessions.logout")


def current_family(request: HttpRequest) -> str | None:
    return request.session.get(FAMILY_SESSION_KEY)


def sessions_end_others(*, user: User, request: HttpRequest) -> int:
    """End every session of the person except this browser's (its family). Returns how many
    sessions ended."""
    family = current_family(request)
    rows = AccountSession.objects.filter(user=user)
    if family:
        rows = rows.exclude(family=family)
    else:
        rows = rows.exclude(session_key=request.session.session_key)
    return _end(rows, keep=request.session.session_key)


def sessions_open(*, user: User) -> list[AccountSession]:
    """The person's sessions that are still valid (rows of ended ones are dropped)."""
    rows = list(AccountSession.objects.filter(user=user).order_by("-signed_in_at"))
    alive = []
    for row in rows:
        if _store(row.session_key).exists(row.session_key):
            alive.append(row)
        else:
            row.delete()
    return alive
