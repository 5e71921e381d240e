"""Rate limit per API key, shared by every web process (a counter in Redis).

A fixed window: the first request of a window creates the counter, each request increments
it atomically (SET NX with the expiry, then INCR, in one pipelined round trip), and a
request over the limit is refused with 429 and Retry-After set to the seconds left in the
window. The rate is read at request time from
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api_key"] ("600/min" by default).
"""

import logging
import math
import time
from typing import Any

from django.core.cache import cache
from django_redis import get_redis_connection
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from tenants.models import ApiKey

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """Read a rate such as "600/min" as (600 requests, 60 seconds)."""
    count, period = rate.split("/")
    return int(count), PERIODS[period.strip()[0]]


class ApiKeyRateThrottle(BaseThrottle):
    scope = "api_key"

    def allow_request(self, request: Request, view: Any) -> bool:
        api_key = request.auth
        if not isinstance(api_key, ApiKey):
            return True  # unauthenticated requests are refused before they get here
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        if not rate:
            return True
        limit, period = parse_rate(str(rate))
        now = time.time()
        window = int(now // period)
        self.wait_seconds = float(max(1, math.ceil((window + 1) * period - now)))
        counter = cache.make_key(f"api-rate:{api_key.pk}:{period}:{window}")
        try:
            # One round trip: create the window's counter if it is new (with its expiry),
            # then count this request. SET NX + INCR in one pipeline cannot lose the expiry
            # the way INCR alone would, and cannot race (Redis runs them in order).
            pipe = get_redis_connection("default").pipeline(transaction=False)
            pipe.set(counter, 0, ex=period + 5, nx=True)
            pipe.incr(counter)
            used = int(pipe.execute()[1])
        except Exception:
            # Fail open: a cache outage must not take the API down with it.
            logger.warning("rate limit counter unavailable; request allowed", exc_info=True)
            return True
        return used <= limit

    def wait(self) -> float | None:
        return getattr(self, "wait_seconds", None)
