"""The signed request body (Standard Webhooks: id, timestamp, signature over both and the
body)."""

import json
import logging
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook

from outbox.models import OutboxEvent

logger = logging.getLogger(__name__)


def webhook_body(event: OutboxEvent) -> bytes:
    """The signed body: the same bytes for every attempt of an event."""
    created = event.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    document = {
        "type": event.event_type,
        "timestamp": created,
        "data": {**event.payload, "event_id": str(event.public_id)},
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def webhook_sign(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256>` over `{id}.{timestamp}.{body}` keyed with the secret's
    decoded bytes (Standard Webhooks; the reference library does the arithmetic)."""
    return Webhook(secret).sign(message_id, datetime.fromtimestamp(timestamp, UTC), body.decode())
