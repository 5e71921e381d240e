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

# Liveness keys for /healthz, and the log context and metrics of every task (imported for
# their signal handlers).
import observability.celery_signals  # noqa: E402, F401
import tenants.worker_heartbeat  # noqa: E402, F401

HOUR = 3600.0
DAY = 24 * HOUR


def _every_tenant(task_name: str, schedule: float | crontab, *, expires: float) -> dict:
    """A beat entry that runs `task_name` once per active tenant through the batched
    dispatcher. `expires` (seconds, about one period): a dispatch still queued when the next
    one is due is dropped, so workers coming back after an outage find one round of each job
    waiting, not one per missed tick."""
    return {
        "task": "tenants.tasks.tenants_dispatch",
        "schedule": schedule,
        "kwargs": {"task_name": task_name},
        "options": {"expires": expires},
    }


# The whole beat schedule lives here, in code. Per-tenant work is started by a dispatcher in the
# public schema that fans out to every active tenant in batches (tenants.tasks).
app.conf.beat_schedule = {
    "clear-expired-sessions": {
        "task": "tenants.tasks.sessions_clear_expired",
        "schedule": crontab(minute=17, hour=3),
        "options": {"expires": DAY},
    },
    "relay-outbox": _every_tenant("outbox.tasks.outbox_relay", 30.0, expires=30),
    "webhook-retry-due": _every_tenant("api.tasks.webhooks.webhook_retry_due", 60.0, expires=60),
    "imports-resume": _every_tenant("hiring.tasks.imports.imports_resume", 300.0, expires=300),
    "reminders-hourly": _every_tenant(
        "notifications.tasks.reminders_run", crontab(minute=5), expires=HOUR
    ),
    # Hourly so that each workspace's digest goes out at its own local hour and weekday.
    "executive-digest-hourly": _every_tenant(
        "notifications.tasks.digest_run", crontab(minute=10), expires=HOUR
    ),
    "idempotency-purge": _every_tenant(
        "api.tasks.idempotency.idempotency_purge", crontab(minute=23), expires=HOUR
    ),
    "agency-analytics-nightly": _every_tenant(
        "scoring.tasks.analytics.agency_analytics_refresh", crontab(minute=40, hour=2), expires=DAY
    ),
    "candidate-retention": _every_tenant(
        "hiring.tasks.privacy.retention_apply", crontab(minute=41, hour=2), expires=DAY
    ),
    "consent-reminders-hourly": _every_tenant(
        "hiring.tasks.consent.consent_reminders_run", crontab(minute=7), expires=HOUR
    ),
    "staged-resumes-sweep": _every_tenant(
        "hiring.tasks.resumes.staged_resumes_sweep", crontab(minute=44, hour=2), expires=DAY
    ),
    "outbox-cleanup-nightly": _every_tenant(
        "outbox.tasks.outbox_cleanup", crontab(minute=50, hour=3), expires=DAY
    ),
}
