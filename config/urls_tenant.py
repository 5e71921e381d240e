"""URLs of a client's workspace host (<slug>.<BASE_DOMAIN>)."""

from django.urls import include, path

from hiring import views as hiring_views
from notifications import views as notification_views
from tenants import views as account_views

urlpatterns = [
    path("", hiring_views.workspace_home, name="home"),
    path("accounts/login/", account_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", account_views.SignOutView.as_view(), name="logout"),
    # Digest emails link here; it works without signing in (the token is the authority).
    path(
        "accounts/unsubscribe/<str:token>/",
        notification_views.unsubscribe,
        name="unsubscribe",
    ),
    path("", include("hiring.urls")),
    path("", include("scoring.urls")),
    path("", include("api.urls")),
    path("imports/", include("hiring.urls_imports")),
    path("notifications/", include("notifications.urls")),
]
