from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "Scoring"

    def ready(self) -> None:
        from hiring.services.privacy import register_candidate_text_eraser
        from outbox.services import outbox_consumer_register
        from scoring.privacy import scorecard_text_erase
        from scoring.tasks.shortlists import RANKING_EVENT_TYPES, shortlist_on_event

        register_candidate_text_eraser(scorecard_text_erase)
        outbox_consumer_register(task=shortlist_on_event, event_types=RANKING_EVENT_TYPES)
