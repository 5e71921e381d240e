"""Outbox lag for the operators' metrics: how old the oldest unpublished event is.

Read from the database when /metrics is answered, across every active client's schema, so the
figure keeps growing while the relay is stuck or no worker runs at all (a value reported by the
workers themselves would freeze exactly then). Each schema's part is an index look-up on the
partial index of unpublished events (`outbox_unpublished_idx`); schemas are read in batches,
one statement per batch.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from outbox.models import OutboxEvent
from tenants.models import Client

logger = logging.getLogger(__name__)

SCHEMAS_PER_STATEMENT = 200


@dataclass(frozen=True)
class OutboxLag:
    oldest_age_seconds: float
    unpublished: int
    schemas: int


def outbox_lag() -> OutboxLag:
    """The age of the oldest unpublished event of any active client, and how many wait."""
    schema_names = list(
        Client.objects.filter(is_active=True)
        .exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
        .values_list("schema_name", flat=True)
    )
    table = connection.ops.quote_name(OutboxEvent._meta.db_table)
    oldest = None
    unpublished = 0
    for start in range(0, len(schema_names), SCHEMAS_PER_STATEMENT):
        parts = []
        for schema_name in schema_names[start : start + SCHEMAS_PER_STATEMENT]:
            qualified = f"{connection.ops.quote_name(schema_name)}.{table}"
            parts.append(
                f"SELECT (SELECT created_at FROM {qualified} WHERE published_at IS NULL "
                f"ORDER BY id LIMIT 1) AS oldest, "
                f"(SELECT count(*) FROM {qualified} WHERE published_at IS NULL) AS waiting"
            )
        # Identifiers come from the catalog of clients and are quoted; there are no values.
        union = " UNION ALL ".join(parts)
        sql = f"SELECT min(oldest), coalesce(sum(waiting), 0) FROM ({union}) t"
        with connection.cursor() as cursor:
            cursor.execute(sql)
            batch_oldest, batch_waiting = cursor.fetchone()
        unpublished += int(batch_waiting)
        if batch_oldest is not None and (oldest is None or batch_oldest < oldest):
            oldest = batch_oldest
    age = max((timezone.now() - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
    return OutboxLag(oldest_age_seconds=age, unpublished=unpublished, schemas=len(schema_names))


class OutboxLagCollector:
    """Registered with observability.metrics.scrape_collector_register (OutboxConfig.ready)."""

    def collect(self) -> Iterator[Metric]:
        try:
            lag = outbox_lag()
        except DatabaseError:
            # The scrape still answers; the missing series and /readyz tell the story.
            logger.warning("outbox lag could not be read", exc_info=True)
            return
        yield GaugeMetricFamily(
            "aihiring_outbox_oldest_unpublished_age_seconds",
            "Age of the oldest committed event not yet handed to its consumers (0: none wait).",
            value=lag.oldest_age_seconds,
        )
        yield GaugeMetricFamily(
            "aihiring_outbox_unpublished_events",
            "Committed events waiting for the relay, over all active clients.",
            value=lag.unpublished,
        )
