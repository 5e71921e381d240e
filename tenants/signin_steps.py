"""The steps of a sign-in after the password: the seam the second factor plugs into.

The password forms (tenants.forms) ask `second_factor_required(user)`; the rules come from the
apps above, registered when Django starts (`second_factor_rule_register`, the accounts app:
platform staff always, anyone with a confirmed device, anyone a workspace's policy covers).
When one says yes, the sign-in view does not start a session: it keeps a *pending* sign-in in
the anonymous session (`signin_pending_begin`) and sends the browser to the second step (the
URL named "two_factor"), which finishes it with `signin_pending_finish`. A known device
(tenants.signin_devices) never skips the step.

The throttle's count of the (account, address) pair is cleared only when the whole sign-in
succeeds: a right password followed by wrong codes keeps counting, so entering the password
again does not buy more guesses at the code.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

from tenants.models import User

PENDING_KEY = "signin_pending"
SecondFactorRule = Callable[[User], bool]
_rules: list[SecondFactorRule] = []


def second_factor_rule_register(rule: SecondFactorRule) -> None:
    """Register a rule "this person needs a second factor to sign in" (idempotent)."""
    if rule not in _rules:
        _rules.append(rule)


def second_factor_required(user: User) -> bool:
    return any(rule(user) for rule in _rules)


@dataclass(frozen=True)
class PendingSignIn:
    user: User
    backend: str
    next_url: str
    address: str


def safe_next(request: HttpRequest, candidate: str | None, default: str = "/") -> str:
    """A redirect target on this host only."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def signin_pending_begin(
    request: HttpRequest, *, user: User, backend: str, next_url: str, address: str
) -> None:
    """Password right, second factor to come: remember who, without signing in."""
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user_id": user.pk,
        "auth_hash": user.get_session_auth_hash(),
        "backend": backend,
        "next": safe_next(request, next_url),
        "address": address,
        "at": time.time(),
    }


def signin_pending(request: HttpRequest) -> PendingSignIn | None:
    """The pending sign-in of this browser, if one is under way and still fresh; the password
    must not have changed in between."""
    data: dict[str, Any] | None = request.session.get(PENDING_KEY)
    if not data or time.time() - float(data.get("at", 0)) > settings.TWO_FACTOR_PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=data["user_id"], is_active=True).first()
    if user is None or user.get_session_auth_hash() != data["auth_hash"]:
        return None
    return PendingSignIn(
        user=user, backend=data["backend"], next_url=data["next"], address=data["address"]
    )


def signin_pending_clear(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


def signin_pending_finish(request: HttpRequest, pending: PendingSignIn) -> None:
    """The second factor was right: start the session (the caller marks it verified)."""
    signin_pending_clear(request)
    login(request, pending.user, backend=pending.backend)


def signin_completed(response: HttpResponse, *, request: HttpRequest, user: User) -> None:
    """What every finished sign-in does: the browser becomes a known device of the account,
    and the throttle's count for this browser or address starts over."""
    from tenants.signin_devices import known_device_of, known_device_remember
    from tenants.signin_throttle import SignInAttempt, client_address, signin_success_record

    signin_success_record(
        SignInAttempt(
            address=client_address(request),
            email=user.email,
            device=known_device_of(request, user.email),
        )
    )
    known_device_remember(response, request=request, user=user)
