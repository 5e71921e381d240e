"""URLs of notifications, included from config/urls_tenant.py at "notifications/".

The unsubscribe page is not here: it must work without signing in, so it is routed under
/accounts/ (open to everyone on a workspace host) as
`path("accounts/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe")`.
"""

from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("badge/", views.notification_badge, name="badge"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("<uuid:public_id>/read/", views.notification_read, name="read"),
    path("preferences/", views.preferences_edit, name="preferences"),
    path("settings/", views.reminder_settings_edit, name="settings"),
]
