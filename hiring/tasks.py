"""Tenant tasks of the hiring app. Each runs inside the schema named in its header."""

from celery import shared_task

from hiring.outbox import outbox_relay_batch
from tenants.schema import current_schema_name
from tenants.tasks import send_to_tenant

MAX_BATCHES_PER_RUN = 50


@shared_task(name="hiring.tasks.outbox_relay")
def outbox_relay() -> int:
    """Relay this tenant's committed events to their consumers. Safe to run concurrently and
    repeatedly; returns how many events it published."""
    schema_name = current_schema_name()

    def send(task_name: str, event_id: int) -> None:
        send_to_tenant(task_name=task_name, schema_name=schema_name, kwargs={"event_id": event_id})

    published = 0
    for _ in range(MAX_BATCHES_PER_RUN):
        count = outbox_relay_batch(send=send)
        published += count
        if count == 0:
            break
    return published


# Tasks defined in topic modules, imported here so Celery's autodiscovery registers them.
from hiring.import_tasks import import_job_run_task, imports_resume_task  # noqa: E402, F401
from hiring.privacy_tasks import retention_apply_task  # noqa: E402, F401
from hiring.reminder_tasks import digest_run, outbox_cleanup, reminders_run  # noqa: E402, F401
