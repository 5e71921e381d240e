"""Template context for every page: the unread-notification count of the header badge."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from notifications.inbox import notifications_unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    """{"unread_notifications": n} for a signed-in member of the workspace (one COUNT on a
    partial index); 0 on the public host, for visitors and for non-members."""
    access = getattr(request, "workspace_access", None)
    user = getattr(request, "user", None)
    if access is None or user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    # Counted only if the template shows it (partial htmx responses do not).
    return {"unread_notifications": SimpleLazyObject(lambda: notifications_unread_count(user=user))}
