"""Shortlist recomputation, debounced. Each task runs inside the schema in its header."""

from celery import shared_task
from django_redis import get_redis_connection

from hiring.models import RoleBrief
from outbox.models import OutboxEvent
from outbox.services import CONSUMER_TASK_OPTIONS
from scoring.services.shortlists import shortlist_compute
from tenants.schema import current_schema_name
from tenants.tasks import send_to_tenant

# A burst of scorecards within this window causes one recompute.
RECOMPUTE_DEBOUNCE_SECONDS = 3
# Events after which the ranking may move (the consumer is registered in ScoringConfig.ready).
RANKING_EVENT_TYPES = (
    "scorecard.submitted",
    "shortlist.inputs_changed",
    "submission.stage_changed",
    "brief.updated",
)
RECOMPUTE_TASK = "scoring.tasks.shortlists.shortlist_recompute"


def _pending_key(brief_public_id: str) -> str:
    return f"shortlist-pending:{current_schema_name()}:{brief_public_id}"


def shortlist_request(*, brief_public_id: str) -> bool:
    """Ask for a recompute of the brief's shortlist soon. Returns False when one is already
    pending (the burst is absorbed by the pending one)."""
    redis = get_redis_connection("default")
    if not redis.set(
        _pending_key(brief_public_id), "1", nx=True, ex=RECOMPUTE_DEBOUNCE_SECONDS * 20
    ):
        return False
    send_to_tenant(
        task_name=RECOMPUTE_TASK,
        schema_name=current_schema_name(),
        kwargs={"brief_public_id": brief_public_id},
        countdown=RECOMPUTE_DEBOUNCE_SECONDS,
    )
    return True


@shared_task(name="scoring.tasks.shortlists.shortlist_on_event", **CONSUMER_TASK_OPTIONS)
def shortlist_on_event(*, event_id: int) -> bool:
    """Outbox consumer: any change that can move the ranking requests a recompute.
    Idempotent: a repeated event only re-requests, which is debounced."""
    event = OutboxEvent.objects.filter(id=event_id).only("payload").first()
    if event is None or "brief_id" not in event.payload:
        return False
    return shortlist_request(brief_public_id=event.payload["brief_id"])


@shared_task(name=RECOMPUTE_TASK, acks_late=True)
def shortlist_recompute(*, brief_public_id: str) -> int | None:
    """Recompute one brief's shortlist. Returns the new version, or None when unchanged."""
    get_redis_connection("default").delete(_pending_key(brief_public_id))
    brief = RoleBrief.objects.filter(public_id=brief_public_id).first()
    if brief is None:
        return None
    shortlist = shortlist_compute(brief=brief)
    return shortlist.version if shortlist else None
