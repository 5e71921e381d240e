"""Worker liveness for /healthz, without a broadcast round-trip.

Each worker's main process writes a key with a short TTL to the broker's Redis every few
seconds; /healthz counts live keys. A worker that dies stops refreshing and its key expires.
"""

import contextlib
import threading
from typing import Any

import redis
from celery.signals import worker_init, worker_shutdown

KEY_PREFIX = "aihiring:worker-alive:"
INTERVAL_SECONDS = 5
TTL_SECONDS = 20

_stop = threading.Event()


def live_worker_count(broker_url: str) -> int:
    client = redis.Redis.from_url(broker_url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return sum(1 for _ in client.scan_iter(match=f"{KEY_PREFIX}*", count=100))
    finally:
        client.close()


def _beat(hostname: str, broker_url: str) -> None:
    client = redis.Redis.from_url(broker_url, socket_connect_timeout=2, socket_timeout=2)
    key = f"{KEY_PREFIX}{hostname}"
    while not _stop.is_set():
        # If the broker is down the key expires and /healthz says so.
        with contextlib.suppress(redis.RedisError):
            client.set(key, "1", ex=TTL_SECONDS)
        _stop.wait(INTERVAL_SECONDS)
    with contextlib.suppress(redis.RedisError):
        client.delete(key)
    client.close()


@worker_init.connect
def _start_heartbeat(sender: Any = None, **_: Any) -> None:
    _stop.clear()
    hostname = getattr(sender, "hostname", "worker")
    broker_url = sender.app.conf.broker_url
    threading.Thread(
        target=_beat, args=(hostname, broker_url), name="worker-heartbeat", daemon=True
    ).start()


@worker_shutdown.connect
def _stop_heartbeat(**_: Any) -> None:
    _stop.set()
