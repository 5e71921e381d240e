from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications and reminders"

    def ready(self) -> None:
        from hiring.services.privacy import register_candidate_text_eraser
        from notifications.inbox import notifications_candidate_erase

        register_candidate_text_eraser(notifications_candidate_erase)
