"""The candidate's consent page (hiring.views.consent), in the "consent" namespace; included
at the root of config.urls_tenant and open without sign-in (tenants.middleware)."""

from django.urls import path

from hiring.views import consent

app_name = "consent"

urlpatterns = [
    path("consent/<str:token>/", consent.consent_page, name="answer"),
]
