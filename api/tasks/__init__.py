"""Celery tasks of the partner API, one module per feature. Celery's autodiscovery imports
this package; importing the modules here registers their tasks in every worker."""

from api.tasks import idempotency, webhooks

__all__ = ["idempotency", "webhooks"]
