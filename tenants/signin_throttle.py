"""Sign-in throttling, shared by every host and every web process (state lives in Redis).

Failures are counted per (client address, email) and per address alone, so one address cannot
guess many passwords for one account, nor spray one password over many accounts. Emails are
hashed before they become keys: nothing in Redis or the logs names the person.
"""

import hashlib

from django.conf import settings
from django_redis import get_redis_connection

KEY_PREFIX = "signin-failures"
# An address alone may fail more often than one address+account pair (offices share NAT).
ADDRESS_LIMIT_FACTOR = 4


def _keys(*, address: str, email: str) -> tuple[str, str]:
    email_digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return (f"{KEY_PREFIX}:pair:{address}:{email_digest}", f"{KEY_PREFIX}:addr:{address}")


def signin_retry_after(*, address: str, email: str) -> int:
    """Seconds until this address may try this account again; 0 when it may try now."""
    redis = get_redis_connection("default")
    pair_key, address_key = _keys(address=address, email=email)
    limit = settings.LOGIN_FAILURE_LIMIT
    pair_count, address_count = redis.mget(pair_key, address_key)
    blocked = []
    if pair_count is not None and int(pair_count) >= limit:
        blocked.append(pair_key)
    if address_count is not None and int(address_count) >= limit * ADDRESS_LIMIT_FACTOR:
        blocked.append(address_key)
    if not blocked:
        return 0
    return max(max(redis.ttl(key), 1) for key in blocked)


def signin_failure_record(*, address: str, email: str) -> None:
    redis = get_redis_connection("default")
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    pipe = redis.pipeline()
    for key in _keys(address=address, email=email):
        pipe.incr(key)
        pipe.expire(key, window, nx=True)
    pipe.execute()


def signin_success_reset(*, address: str, email: str) -> None:
    pair_key, _ = _keys(address=address, email=email)
    get_redis_connection("default").delete(pair_key)
