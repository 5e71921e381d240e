"""Sign-in throttling, shared by every sign-in path, host and web process (state in Redis).

Every failed attempt counts: a wrong password, an e-mail that names nobody, an empty field.
What an attempt is checked against depends on where it comes from:

- From a browser without a known-device cookie for the account (tenants.signin_devices):
  - **account and address**: LOGIN_FAILURE_LIMIT failures are free; then each failure blocks
    the pair for a delay that doubles, LOGIN_DELAY_BASE_SECONDS (1 minute), 2, 4, 8 ... up to
    LOGIN_DELAY_MAX_SECONDS (1 hour). The count is kept for LOGIN_FAILURE_MEMORY_SECONDS
    after the last failure and cleared by a successful sign-in from that address.
  - **address**: LOGIN_ADDRESS_FAILURE_LIMIT failures (hundreds) in
    LOGIN_FAILURE_WINDOW_SECONDS block the address for the rest of the window. An office
    behind one NAT address never gets there by typos; a script spraying accounts does.
  - **account**: LOGIN_ACCOUNT_FAILURE_LIMIT failures in the window, from any addresses,
    block the account for browsers it does not know until the window ends: guesses spread
    over many addresses stop too.
- From a browser that signed in to this account recently (a signed cookie bound to the
  account and its password): only that browser's own count, with the same growing delays.
  Neither the address-wide nor the account-wide limit, nor other people's guesses from the
  same address, ever keep the account's owner out of their own browser.

Blocked attempts are not counted (and never reach the password check). E-mails are hashed
before they become keys: nothing in Redis names the person.
"""

import hashlib
import math
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django_redis import get_redis_connection

KEY_PREFIX = "signin"


def client_address(request: HttpRequest) -> str:
    # Behind a proxy, configure it to set REMOTE_ADDR (gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR") or "unknown"


def normalized_email(raw: object) -> str:
    return str(raw or "").strip().lower()


def email_digest(email: str) -> str:
    return hashlib.sha256(normalized_email(email).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class SignInAttempt:
    """One try: from where, for which e-mail, and the known-device id the browser presented
    for that account (None when it presented none that is valid)."""

    address: str
    email: str
    device: str | None = None

    @property
    def _account(self) -> str:
        return email_digest(self.email)

    @property
    def escalating_bucket(self) -> str:
        """The count with growing delays: the device's own, or the (address, account) pair."""
        if self.device is not None:
            return f"{KEY_PREFIX}:device:{self.device}"
        return f"{KEY_PREFIX}:pair:{self.address}:{self._account}"

    @property
    def address_key(self) -> str:
        return f"{KEY_PREFIX}:address:{self.address}"

    @property
    def account_key(self) -> str:
        return f"{KEY_PREFIX}:account:{self._account}"


def _delay_seconds(failures: int) -> int:
    """The block after the n-th failure of one bucket: 0 below the limit, then doubling."""
    over = failures - settings.LOGIN_FAILURE_LIMIT
    if over < 0:
        return 0
    base, cap = settings.LOGIN_DELAY_BASE_SECONDS, settings.LOGIN_DELAY_MAX_SECONDS
    return int(min(base * 2 ** min(over, 32), cap))


def signin_retry_after(attempt: SignInAttempt) -> int:
    """Seconds until this attempt may be made; 0 when it may be made now."""
    redis = get_redis_connection("default")
    bucket = attempt.escalating_bucket
    if attempt.device is not None:
        return max(redis.ttl(f"{bucket}:blocked"), 0)
    pipe = redis.pipeline()
    pipe.ttl(f"{bucket}:blocked")
    pipe.get(attempt.address_key)
    pipe.ttl(attempt.address_key)
    pipe.get(attempt.account_key)
    pipe.ttl(attempt.account_key)
    pair_ttl, address_count, address_ttl, account_count, account_ttl = pipe.execute()
    waits = [max(pair_ttl, 0)]
    if address_count is not None and int(address_count) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        waits.append(max(address_ttl, 1))
    if account_count is not None and int(account_count) >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
        waits.append(max(account_ttl, 1))
    return max(waits)


def signin_failure_record(attempt: SignInAttempt) -> None:
    redis = get_redis_connection("default")
    bucket = attempt.escalating_bucket
    pipe = redis.pipeline()
    pipe.incr(bucket)
    pipe.expire(bucket, settings.LOGIN_FAILURE_MEMORY_SECONDS)
    if attempt.device is None:
        window = settings.LOGIN_FAILURE_WINDOW_SECONDS
        for key in (attempt.address_key, attempt.account_key):
            pipe.incr(key)
            pipe.expire(key, window, nx=True)
    failures = pipe.execute()[0]
    delay = _delay_seconds(int(failures))
    if delay:
        redis.set(f"{bucket}:blocked", "1", ex=delay)


def signin_success_record(attempt: SignInAttempt) -> None:
    """The right password: the growing delays of this browser or address start over. The
    address-wide and account-wide windows are left to run out."""
    bucket = attempt.escalating_bucket
    get_redis_connection("default").delete(bucket, f"{bucket}:blocked")


def wait_in_words(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"
