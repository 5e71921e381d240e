"""URLs of the public host: sign-in, the dashboard of workspaces, the account pages, platform
administration."""

from django.contrib import admin
from django.urls import path

from accounts.urls import public_patterns, sign_in_patterns
from tenants import views

urlpatterns = [
    path("", views.public_home, name="home"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", views.SignOutView.as_view(), name="logout"),
    *sign_in_patterns(),
    *public_patterns,
    path("admin/", admin.site.urls),
]
