"""Rate limit per API key, shared by every web process (a counter in Redis).

A fixed window: the first request of a window creates the counter, each request increments
it atomically (INCR), and a request over the limit is refused with 429 and Retry-After set to
the seconds left in the window. The rate is read at request time from
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api_key"] ("600/min" by default).
"""

import logging
import math
import time
from typing import Any

from django.core.cache import cache
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
        counter = f"api-rate:{api_key.pk}:{period}:{window}"
        try:
            cache.add(counter, 0, timeout=period + 5)
            used = cache.incr(counter)
        except ValueError:
            # The counter expired between add and incr: this is the first use of the window.
            cache.add(counter, 1, timeout=period + 5)
            used = 1
        except Exception:
            # Fail open: a cache outage must not take the API down with it.
            logger.warning("rate limit counter unavailable; request allowed", exc_info=True)
            return True
        return used <= limit

    def wait(self) -> float | None:
        return getattr(self, "wait_seconds", None)
