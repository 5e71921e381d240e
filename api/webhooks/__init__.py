"""Webhook subscriptions and deliveries: services, selectors and the delivery engine.

Subscriptions belong to one API key. Events reach them through the outbox: the consumer
`api.tasks.webhooks.webhooks_fan_out` calls `webhook_fan_out`, which records one WebhookDelivery per
matching subscription (unique per subscription and event, so a repeated hand-over adds
nothing) and queues `api.tasks.webhooks.webhook_deliver` for each.

Each attempt signs the body with the Standard Webhooks scheme (webhook-id is the event's
public id, identical on every retry so receivers can drop duplicates) and posts it through the
SSRF guard in `api.webhooks.targets`. Failed attempts are retried on the schedule in
`WEBHOOK_RETRY_DELAYS`; when it runs out the delivery gives up, the subscription is switched
off and the client's admins get an email. See docs (Webhooks: delivery and verification).
"""
