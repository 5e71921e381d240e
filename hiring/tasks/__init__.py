"""Celery tasks of the hiring app, one module per feature. Celery's autodiscovery imports
this package; importing the modules here registers their tasks in every worker."""

from hiring.tasks import consent, imports, privacy, resumes

__all__ = ["consent", "imports", "privacy", "resumes"]
