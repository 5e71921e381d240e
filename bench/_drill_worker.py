"""Imported by the fault drill's Celery workers (`--include _drill_worker`): counts, in Redis,
every successful run of the tasks the drill checks, so that the drill can tell a recompute or
an import that ran from one that was lost. Not used by the product."""

import json
from typing import Any

from celery.signals import task_postrun

WATCHED = (
    "scoring.tasks.shortlists.shortlist_recompute",
    "hiring.tasks.imports.import_job_run",
)
RUNS_KEY = "drill:runs"


@task_postrun.connect
def _count_run(
    sender: Any = None, kwargs: dict[str, Any] | None = None, state: str = "", **_: Any
) -> None:
    name = getattr(sender, "name", "")
    if name not in WATCHED or state != "SUCCESS":
        return
    from django_redis import get_redis_connection

    field = f"{name}:{json.dumps(kwargs or {}, sort_keys=True)}"
    get_redis_connection("default").hincrby(RUNS_KEY, field, 1)
