"""Celery queues per workload: imports, webhooks, reminders and shortlist recomputes each have a
queue of their own beside the default queue, so that a flood of one (a 50,000-row import, a
webhook endpoint timing out) never waits in front of the others, and each can get workers of
its own.

Queue names derive from CELERY_TASK_DEFAULT_QUEUE ("aihiring" -> "aihiring.imports", ...), so
a test run or a benchmark with a private default queue also gets private workload queues.
All five are declared in CELERY_TASK_QUEUES: a worker started without `-Q` consumes every one
of them (`make run`, one small machine); separate workers name theirs, e.g.
`celery -A config worker -Q aihiring.imports`. docs/operations.md, "Queues per workload".
"""

from typing import Any

# workload -> task name patterns (Celery's glob syntax in task_routes).
WORKLOADS: dict[str, tuple[str, ...]] = {
    "imports": ("hiring.tasks.imports.*",),
    "webhooks": ("api.tasks.webhooks.*",),
    "reminders": ("notifications.tasks.reminders_run", "notifications.tasks.digest_run"),
    "recomputes": ("scoring.tasks.shortlists.*", "scoring.tasks.analytics.*"),
}


def workload_queue(default_queue: str, workload: str) -> str:
    if workload not in WORKLOADS:
        raise KeyError(f"unknown workload {workload!r}; one of {', '.join(WORKLOADS)}")
    return f"{default_queue}.{workload}"


def queue_names(default_queue: str) -> list[str]:
    """Every queue, the default first: what one worker consuming everything lists in -Q."""
    return [default_queue, *(workload_queue(default_queue, name) for name in WORKLOADS)]


def task_queues(default_queue: str) -> list[Any]:
    from kombu import Exchange, Queue

    # The shape Celery gives a queue it creates itself: a direct exchange of the same name.
    return [Queue(name, Exchange(name), routing_key=name) for name in queue_names(default_queue)]


def task_routes(default_queue: str) -> dict[str, dict[str, str]]:
    return {
        pattern: {"queue": workload_queue(default_queue, workload)}
        for workload, patterns in WORKLOADS.items()
        for pattern in patterns
    }
