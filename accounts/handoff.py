"""One sign-in across the platform's hosts: the signed hand-off.

Sessions stay host-only cookies (each workspace host holds its own). Opening a workspace from
the public dashboard goes through `/workspaces/<client>/open/` on the public host, which
mints a token and redirects to `/accounts/handoff/<token>/` on the workspace's host; that view
redeems it and starts a session there. The token is

- signed (salted `signing.dumps`) and good for HANDOFF_MAX_AGE_SECONDS (60 s);
- used once (its nonce is claimed in Redis on redemption);
- bound to the person, the workspace and the person's password (the session auth hash: a
  password change in between voids it), and carries whether the session passed a second
  factor (the device, which must still be confirmed) and its session family (signing out
  ends both);
- redeemed only on the host of the workspace it names, for someone who may enter it.

Why not a shared parent cookie domain (SESSION_COOKIE_DOMAIN=.example.com): clients may have
their own host names (`provision_client --domain hire.globex.com`), which no parent domain
covers; a cookie valid on every subdomain would also carry a session started through one
client's single sign-on to every other workspace. See docs/people.md.
"""

import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.models import Device

from accounts.models import SignInMethod
from accounts.sessions import current_family, sign_in_method_set
from audit.errors import ConflictError
from tenants.models import Client, User
from tenants.selectors import workspace_access_for

SALT = "accounts.handoff"
OTP_DEVICE_SESSION_KEY = "otp_device_id"


def handoff_token(*, request: HttpRequest, user: User, client: Client) -> str:
    verified = getattr(user, "is_verified", lambda: False)()
    device_id = request.session.get(OTP_DEVICE_SESSION_KEY, "") if verified else ""
    return signing.dumps(
        {
            "u": user.pk,
            "c": client.pk,
            "h": user.get_session_auth_hash(),
            "d": device_id,
            "f": current_family(request) or "",
            "sso": request.session.get("sso_client_id"),
            "n": secrets.token_urlsafe(16),
        },
        salt=SALT,
    )


@dataclass(frozen=True)
class HandoffOutcome:
    user: User
    signed_in: bool  # False: this host already had the same person's session


def _claim_once(nonce: str) -> bool:
    return bool(cache.add(f"handoff:{nonce}", 1, timeout=settings.HANDOFF_MAX_AGE_SECONDS * 2))


def handoff_redeem(*, request: HttpRequest, token: str) -> HandoffOutcome:
    """Start a session on this host for the person the token names, or raise ConflictError
    with what is wrong (expired, used, damaged, not this workspace)."""
    try:
        data: dict[str, Any] = signing.loads(
            token, salt=SALT, max_age=settings.HANDOFF_MAX_AGE_SECONDS
        )
    except signing.SignatureExpired:
        raise ConflictError(
            "This link to open the workspace has expired (it works for a minute). Open the "
            "workspace again from your dashboard.",
            code="handoff_expired",
        ) from None
    except signing.BadSignature:
        raise ConflictError(
            "This link to open the workspace is damaged. Open the workspace from your dashboard.",
            code="handoff_damaged",
        ) from None
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.pk != data.get("c") or data.get("sso"):
        raise ConflictError("This link is for another workspace.", code="handoff_elsewhere")
    user = User.objects.filter(pk=int(data.get("u") or 0), is_active=True).first()
    if user is None or user.get_session_auth_hash() != data.get("h"):
        raise ConflictError(
            "This link no longer works: sign in again.", code="handoff_password_changed"
        )
    if workspace_access_for(user=user, client=tenant) is None:
        raise ConflictError("You cannot open this workspace.", code="handoff_no_access")
    if not _claim_once(str(data.get("n"))):
        raise ConflictError(
            "This link to open the workspace was already used. Open it again from your dashboard.",
            code="handoff_used",
        )
    current = request.user
    if current.is_authenticated and current.pk == user.pk:
        _carry_second_factor(request, data)
        return HandoffOutcome(user=user, signed_in=False)
    if current.is_authenticated:
        raise ConflictError(
            f"You are signed in here as {getattr(current, 'email', '')}: sign out first to "
            "open the workspace as someone else.",
            code="handoff_other_person",
        )
    sign_in_method_set(request, SignInMethod.HANDOFF, family=str(data.get("f") or "") or None)
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    _carry_second_factor(request, data)
    return HandoffOutcome(user=user, signed_in=True)


def _carry_second_factor(request: HttpRequest, data: dict[str, Any]) -> None:
    device_id = data.get("d")
    if not device_id:
        return
    device = Device.from_persistent_id(device_id)
    if device is not None and device.confirmed and device.user_id == request.user.pk:
        otp_login(request, device)
