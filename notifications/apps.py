from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications and reminders"

    def ready(self) -> None:
        from hiring.services.privacy import register_candidate_text_eraser
        from notifications.events.notices import NOTIFIED_EVENT_TYPES
        from notifications.inbox import notifications_candidate_erase
        from notifications.tasks import notifications_on_event
        from outbox.services import outbox_consumer_register

        register_candidate_text_eraser(notifications_candidate_erase)
        outbox_consumer_register(task=notifications_on_event, event_types=NOTIFIED_EVENT_TYPES)
