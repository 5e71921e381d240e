"""Known devices: a browser that signed in to an account recently is recognised at sign-in.

A successful sign-in sets a cookie `signin_device_<hash of the e-mail>` (signed with
SECRET_KEY, httponly, SameSite=Lax, secure in production, KNOWN_DEVICE_COOKIE_AGE: 30 days)
holding the account's id, a random device id and a tag derived from the account's password
hash. At the next sign-in for that e-mail, a cookie whose signature, age, account and tag all
check out moves the attempt to that device's own failure count (tenants.signin_throttle): the
address-wide and account-wide limits, and guesses made by others from the same address, no
longer keep the owner out of their own browser. A password change retires every known device
of the account (the tag no longer matches). The cookie grants nothing by itself: the right
password is still needed, and failures from that browser still block it with growing delays.
"""

import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare, salted_hmac

from tenants.models import User
from tenants.signin_throttle import email_digest

COOKIE_PREFIX = "signin_device_"
SIGNING_SALT = "tenants.signin_devices.cookie"
PASSWORD_TAG_SALT = "tenants.signin_devices.password"


def known_device_cookie_name(email: str) -> str:
    return COOKIE_PREFIX + email_digest(email)[:16]


def _password_tag(user: User) -> str:
    return salted_hmac(PASSWORD_TAG_SALT, user.password, algorithm="sha256").hexdigest()[:24]


def known_device_of(request: HttpRequest, email: str) -> str | None:
    """The device id of a valid known-device cookie for this e-mail's account, else None."""
    raw = request.get_signed_cookie(
        known_device_cookie_name(email),
        default=None,
        salt=SIGNING_SALT,
        max_age=settings.KNOWN_DEVICE_COOKIE_AGE,
    )
    if not raw:
        return None
    user_id, _, rest = raw.partition(":")
    device, _, tag = rest.partition(":")
    if not (user_id.isdigit() and device and tag):
        return None
    user = User.objects.filter(email=email, is_active=True).only("pk", "password").first()
    if user is None or user.pk != int(user_id):
        return None
    if not constant_time_compare(tag, _password_tag(user)):
        return None
    return device


def known_device_remember(response: HttpResponse, *, request: HttpRequest, user: User) -> None:
    """After a successful sign-in: (re)issue the cookie, keeping the device id if the browser
    already had one for this account, so its failure count stays its own."""
    device = known_device_of(request, user.email) or secrets.token_urlsafe(12)
    response.set_signed_cookie(
        known_device_cookie_name(user.email),
        f"{user.pk}:{device}:{_password_tag(user)}",
        salt=SIGNING_SALT,
        max_age=settings.KNOWN_DEVICE_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        domain=settings.SESSION_COOKIE_DOMAIN,
    )
