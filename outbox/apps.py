from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Outbox"

    def ready(self) -> None:
        from observability.metrics import scrape_collector_register
        from outbox.lag import OutboxLagCollector

        scrape_collector_register(OutboxLagCollector())
