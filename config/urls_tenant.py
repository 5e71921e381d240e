"""URLs of a client's workspace host (<slug>.<BASE_DOMAIN>)."""

from django.urls import include, path

from accounts.urls import sign_in_patterns, workspace_arrival_patterns
from notifications import views as notification_views
from pages.access import open_page
from tenants import views as account_views

urlpatterns = [
    path("", notification_views.workspace_home, name="home"),
    path(
        "accounts/login/",
        open_page(because="signing in is how a person becomes a member of the page's reach")(
            account_views.SignInView.as_view()
        ),
        name="login",
    ),
    path(
        "accounts/logout/",
        open_page(because="signing out must work whatever the person's access")(
            account_views.SignOutView.as_view()
        ),
        name="logout",
    ),
    *sign_in_patterns(lambda because: open_page(because=because)),
    *workspace_arrival_patterns(lambda because: open_page(because=because)),
    # Digest emails link here; it works without signing in (the token is the authority).
    path(
        "accounts/unsubscribe/<str:token>/",
        notification_views.unsubscribe,
        name="unsubscribe",
    ),
    path("", include("hiring.urls")),
    # The candidate's consent link (no sign-in; the signed token is the authority).
    path("", include("hiring.urls.consent")),
    path("", include("scoring.urls")),
    path("", include("api.urls")),
    path("", include("accounts.urls")),
    path("", include("administration.urls")),
    path("imports/", include("hiring.urls.imports")),
    path("notifications/", include("notifications.urls")),
]
