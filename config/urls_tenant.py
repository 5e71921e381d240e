"""URLs of a client's workspace host (<slug>.<BASE_DOMAIN>)."""

from django.urls import path

from hiring import views as hiring_views
from tenants import views as account_views

urlpatterns = [
    path("", hiring_views.workspace_home, name="home"),
    path("accounts/login/", account_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", account_views.SignOutView.as_view(), name="logout"),
]
