"""Celery tasks of the scoring app, one module per feature. Celery's autodiscovery imports
this package; importing the modules here registers their tasks in every worker."""

from scoring.tasks import analytics, shortlists

__all__ = ["analytics", "shortlists"]
