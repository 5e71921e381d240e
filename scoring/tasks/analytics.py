"""Agency analytics, recomputed nightly and on demand. Runs inside the schema in its header."""

from celery import shared_task

from scoring.analytics import agency_analytics_compute

REFRESH_TASK = "scoring.tasks.analytics.agency_analytics_refresh"


@shared_task(name=REFRESH_TASK)
def agency_analytics_refresh() -> int:
    """Nightly (through the tenant dispatcher) and on demand from the analytics page."""
    return agency_analytics_compute()
