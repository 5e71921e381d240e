"""Public-schema periodic work, and the dispatcher that fans scheduled work out to tenants.

Beat sends one `tenants_dispatch` per schedule entry. It splits the active tenants into
batches and queues one small task per batch, which queues the real task once per tenant with
that tenant's schema in the header. 500 tenants therefore never become one giant task, and a
slow tenant only delays its own task.
"""

import logging
from typing import Any

from celery import current_app, shared_task
from django.conf import settings
from django.core.management import call_command

from tenants.models import Client

logger = logging.getLogger(__name__)


def send_to_tenant(
    *, task_name: str, schema_name: str, kwargs: dict[str, Any] | None = None, **options: Any
) -> None:
    """Queue a task to run inside one tenant's schema, wherever it is called from."""
    # The project's app (config.celery), which Django's start-up made the current one.
    app = current_app
    headers = {**options.pop("headers", {}), "_schema_name": schema_name}
    app.send_task(task_name, kwargs=kwargs or {}, headers=headers, **options)


@shared_task(name="tenants.tasks.tenants_dispatch")
def tenants_dispatch(*, task_name: str, kwargs: dict[str, Any] | None = None) -> int:
    """Queue `task_name` once per active tenant, in batches. Returns the number of tenants."""
    schema_names = list(
        Client.objects.filter(is_active=True)
        .exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
        .order_by("id")
        .values_list("schema_name", flat=True)
    )
    size = settings.TENANT_FANOUT_BATCH_SIZE
    for start in range(0, len(schema_names), size):
        tenants_dispatch_batch.apply_async(
            kwargs={
                "task_name": task_name,
                "schema_names": schema_names[start : start + size],
                "task_kwargs": kwargs or {},
            },
            headers={"_schema_name": settings.PUBLIC_SCHEMA_NAME},
        )
    return len(schema_names)


@shared_task(name="tenants.tasks.tenants_dispatch_batch")
def tenants_dispatch_batch(
    *, task_name: str, schema_names: list[str], task_kwargs: dict[str, Any]
) -> int:
    for schema_name in schema_names:
        send_to_tenant(task_name=task_name, schema_name=schema_name, kwargs=task_kwargs)
    return len(schema_names)


@shared_task(name="tenants.tasks.sessions_clear_expired")
def sessions_clear_expired() -> None:
    call_command("clearsessions")
