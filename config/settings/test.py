"""Test settings: real PostgreSQL and Redis, isolated from a running `make run`."""

from config import celery_queues

from .base import *  # noqa: F403
from .base import CACHES, REDIS_URL, env

DEBUG = False
# Parallel test runs on one server (several checkouts or engineers) pick their own database.
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default=None)}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# A server process a browser test starts writes its mail to files the test reads.
if env("TEST_EMAIL_FILE_PATH", default=""):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": env("TEST_EMAIL_FILE_PATH")},
        }
    }


def redis_db_url(url: str, db: int) -> str:
    """Same Redis server, another logical database, so tests never touch dev data/queues."""
    base, _, last = url.rpartition("/")
    if last.isdigit() and base.count("/") >= 2:
        return f"{base}/{db}"
    return f"{url.rstrip('/')}/{db}"


# Cache (flushed between tests) and broker (kept: it holds the worker's queue bindings) use
# separate logical databases.
TEST_REDIS_DB = env.int("TEST_REDIS_DB", default=9)
CACHES["default"]["LOCATION"] = redis_db_url(REDIS_URL, TEST_REDIS_DB)
CACHES["default"]["KEY_PREFIX"] = "aihiring-test"
CELERY_BROKER_URL = redis_db_url(REDIS_URL, TEST_REDIS_DB + 1)
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_TASK_DEFAULT_QUEUE = "aihiring-test"
CELERY_TASK_QUEUES = celery_queues.task_queues(CELERY_TASK_DEFAULT_QUEUE)
CELERY_TASK_ROUTES = celery_queues.task_routes(CELERY_TASK_DEFAULT_QUEUE)
# Tests create and roll back clients and domains freely: route without the memory, except in
# the tests of the memory itself (tests/test_isolation.py).
TENANT_ROUTING_CACHE_SECONDS = 0
# Keys change freely in tests too: no memory of accepted keys, except in its own tests.
API_KEY_CACHE_SECONDS = 0
MEDIA_ROOT = BASE_DIR / ".data" / "test-media"  # noqa: F405
LOGIN_FAILURE_LIMIT = 5
WEBHOOK_REQUIRE_HTTPS = False
