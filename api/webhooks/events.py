"""The event types a webhook subscription may name, per kind of key."""

TEST_EVENT_TYPE = "webhook.test"
# Every type a subscription may name. An empty list on a subscription means "all of them"
# (all that the key's kind may receive).
WEBHOOK_EVENT_TYPES = (
    "brief.created",
    "brief.updated",
    "brief.opened",
    "brief.status_changed",
    "submission.created",
    "submission.stage_changed",
    "submission.consent_changed",
    "scorecard.submitted",
    "shortlist.updated",
    "candidate.erased",
    TEST_EVENT_TYPE,
)
# An agency's key hears about briefs shared with it and about its own submissions only.
AGENCY_WEBHOOK_EVENT_TYPES = (
    "brief.opened",
    "brief.status_changed",
    "submission.created",
    "submission.stage_changed",
    "submission.consent_changed",
    TEST_EVENT_TYPE,
)
# Types relayed from the outbox; test events are written straight to one subscription.
FAN_OUT_EVENT_TYPES = tuple(t for t in WEBHOOK_EVENT_TYPES if t != TEST_EVENT_TYPE)
