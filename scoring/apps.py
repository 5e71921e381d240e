from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "Scoring"

    def ready(self) -> None:
        from hiring.services.privacy import register_candidate_text_eraser
        from scoring.privacy import scorecard_text_erase

        register_candidate_text_eraser(scorecard_text_erase)
