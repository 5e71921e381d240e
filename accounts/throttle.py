"""Fixed-window request limits in Redis, shared by every web process: reset e-mails per
address and per network address, invitations per person.

Keys hold hashes, never an e-mail address. A limit counts every request, for an address with
an account or without, so a refusal says nothing about the address.
"""

import hashlib

from django_redis import get_redis_connection

KEY_PREFIX = "accounts:limit"


def _key(kind: str, subject: str) -> str:
    digest = hashlib.sha256(subject.strip().lower().encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}:{kind}:{digest}"


def limit_hit(*, kind: str, subject: str, limit: int, window_seconds: int) -> int:
    """Count one request of `kind` for `subject`. Returns 0 when it is within the limit, else
    the seconds until the window ends (the request must then be refused)."""
    redis = get_redis_connection("default")
    key = _key(kind, subject)
    pipe = redis.pipeline()
    pipe.incr(key)
    pipe.expire(key, window_seconds, nx=True)
    pipe.ttl(key)
    count, _, ttl = pipe.execute()
    if int(count) > limit:
        return max(int(ttl), 1)
    return 0


def wait_in_words(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"
