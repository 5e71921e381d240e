"""The hourly limit on invitations a person sends, as the page that refuses one: shared by the
people pages (team invitations) and the agencies page (agency invitations)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from accounts.throttle import limit_hit, wait_in_words
from pages.access import refusal_page


def invitation_limit_refusal(request: HttpRequest, *, user_id: int) -> HttpResponse | None:
    """None while the person may invite; else a 429 page saying when they may again."""
    wait = limit_hit(
        kind="invite",
        subject=str(user_id),
        limit=settings.INVITATION_LIMIT_PER_HOUR,
        window_seconds=3600,
    )
    if not wait:
        return None
    response = refusal_page(
        request,
        messages=[
            f"You have sent {settings.INVITATION_LIMIT_PER_HOUR} invitations in the last hour. "
            f"Try again in {wait_in_words(wait)}."
        ],
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response
