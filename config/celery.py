"""The Celery application.

tenant-schemas-celery stamps every task sent from inside a tenant with that tenant's schema and
switches the worker's connection to it before the task runs, so a task queued on acme's host
only ever touches acme's tables.
"""

import os

from celery.schedules import crontab
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = CeleryApp("aihiring")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Liveness keys for /healthz (imported for its signal handlers).
import tenants.worker_heartbeat  # noqa: E402, F401

# The whole beat schedule lives here, in code. Per-tenant work is started by a dispatcher in the
# public schema that fans out to every active tenant in batches (tenants.tasks).
app.conf.beat_schedule = {
    "clear-expired-sessions": {
        "task": "tenants.tasks.sessions_clear_expired",
        "schedule": crontab(minute=17, hour=3),
    },
    "agency-analytics-nightly": {
        "task": "tenants.tasks.tenants_dispatch",
        "schedule": crontab(minute=40, hour=2),
        "kwargs": {"task_name": "scoring.tasks.agency_analytics_refresh"},
    },
    "candidate-retention": {
        "task": "tenants.tasks.tenants_dispatch",
        "schedule": crontab(minute=41, hour=2),
        "kwargs": {"task_name": "hiring.tasks.retention_apply"},
    },
    "relay-outbox": {
        "task": "tenants.tasks.tenants_dispatch",
        "schedule": 30.0,
        "kwargs": {"task_name": "hiring.tasks.outbox_relay"},
    },
    "imports-resume": {
        "task": "tenants.tasks.tenants_dispatch",
        "schedule": 300.0,
        "kwargs": {"task_name": "hiring.tasks.imports_resume"},
    },
    "outbox-cleanup-nightly": {
        "task": "tenants.tasks.tenants_dispatch",
        "schedule": crontab(minute=50, hour=3),
        "kwargs": {"task_name": "hiring.tasks.outbox_cleanup"},
    },
    "reminders-hourly": {
        "task": "tenants.tasks.tenants_dispatch",
        "schedule": crontab(minute=5),
        "kwargs": {"task_name": "hiring.tasks.reminders_run"},
    },
    # Hourly so that each workspace's digest goes out at its own local hour and weekday.
    "executive-digest-hourly": {
        "task": "tenants.tasks.tenants_dispatch",
        "schedule": crontab(minute=10),
        "kwargs": {"task_name": "hiring.tasks.digest_run"},
    },
    "webhook-retry-due": {
        "task": "tenants.tasks.tenants_dispatch",
        "schedule": 60.0,
        "kwargs": {"task_name": "api.tasks.webhook_retry_due"},
    },
    "idempotency-purge": {
        "task": "tenants.tasks.tenants_dispatch",
        "schedule": crontab(minute=23),
        "kwargs": {"task_name": "api.tasks.idempotency_purge"},
    },
}
