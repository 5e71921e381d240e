from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Partner API"

    def ready(self) -> None:
        from api.key_cache import connect_signals
        from api.tasks.webhooks import webhooks_fan_out
        from api.webhooks.delivery import (
            webhook_deliveries_release,
            webhook_deliveries_still_retrying,
        )
        from api.webhooks.events import FAN_OUT_EVENT_TYPES
        from outbox.retention import EventHolder, event_holder_register
        from outbox.services import outbox_consumer_register

        connect_signals()
        outbox_consumer_register(task=webhooks_fan_out, event_types=FAN_OUT_EVENT_TYPES)
        # A delivery still retrying keeps its event; finished ones are deleted with it.
        event_holder_register(
            EventHolder(
                name="webhook_deliveries",
                still_needed=webhook_deliveries_still_retrying,
                release=webhook_deliveries_release,
            )
        )
