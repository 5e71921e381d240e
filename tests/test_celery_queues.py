"""Queues per workload (config/celery_queues.py): imports, webhooks, reminders and shortlist
recomputes each go to a queue of their own; a worker started without -Q consumes them all."""

import pytest
from celery import current_app
from django.conf import settings

from config import celery_queues
from hiring.services.imports import IMPORT_TASK_NAME

DEFAULT = settings.CELERY_TASK_DEFAULT_QUEUE


def routed_queue(task_name: str) -> str:
    return current_app.amqp.router.route({}, task_name)["queue"].name


@pytest.mark.parametrize(
    ("task_name", "workload"),
    [
        (IMPORT_TASK_NAME, "imports"),
        ("hiring.tasks.imports.imports_resume", "imports"),
        ("api.tasks.webhooks.webhook_deliver", "webhooks"),
        ("api.tasks.webhooks.webhooks_fan_out", "webhooks"),
        ("api.tasks.webhooks.webhook_retry_due", "webhooks"),
        ("notifications.tasks.reminders_run", "reminders"),
        ("notifications.tasks.digest_run", "reminders"),
        ("scoring.tasks.shortlists.shortlist_recompute", "recomputes"),
        ("scoring.tasks.shortlists.shortlist_on_event", "recomputes"),
        ("scoring.tasks.analytics.agency_analytics_refresh", "recomputes"),
    ],
)
def test_each_workload_goes_to_its_own_queue(task_name, workload):
    assert routed_queue(task_name) == f"{DEFAULT}.{workload}"


@pytest.mark.parametrize(
    "task_name",
    [
        "outbox.tasks.outbox_relay",
        "tenants.tasks.tenants_dispatch",
        "notifications.tasks.notifications_on_event",
        "accounts.tasks.password_reset_mail_send",
    ],
)
def test_everything_else_stays_on_the_default_queue(task_name):
    assert routed_queue(task_name) == DEFAULT


def test_a_worker_without_q_consumes_every_queue():
    # Celery's worker consumes app.amqp.queues when no -Q is given.
    declared = list(current_app.amqp.queues)
    assert declared == celery_queues.queue_names(DEFAULT)
    assert declared[0] == DEFAULT
    assert {f"{DEFAULT}.{w}" for w in ("imports", "webhooks", "reminders", "recomputes")} <= set(
        declared
    )


def test_every_registered_task_routes_to_a_declared_queue():
    current_app.loader.import_default_modules()
    declared = set(current_app.amqp.queues)
    project = [name for name in current_app.tasks if not name.startswith("celery.")]
    assert len(project) > 10
    for name in project:
        assert routed_queue(name) in declared, name


def test_a_private_default_queue_gets_private_workload_queues():
    assert celery_queues.queue_names("bench-x") == [
        "bench-x",
        "bench-x.imports",
        "bench-x.webhooks",
        "bench-x.reminders",
        "bench-x.recomputes",
    ]
    with pytest.raises(KeyError):
        celery_queues.workload_queue("aihiring", "video")
