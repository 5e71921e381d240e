"""Partner API and API key pages of a workspace host; included at the root of
config.urls_tenant (`path("", include("api.urls"))`). Names live in the "api" namespace.

- /api/v1/...           the partner API (key authentication only)
- /api/schema/          OpenAPI 3 document (YAML; ?format=json for JSON)
- /api/docs/            Swagger UI for it
- /settings/api-keys/   key management pages for client admins and agency admins
- /settings/webhooks/   webhook subscriptions of those keys, as pages
"""

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from api import views_keys, views_webhooks
from api.docs_views import ApiDocsView, ApiSchemaView
from api.endpoints.analytics import AgencyAnalyticsViewSet
from api.endpoints.briefs import BriefViewSet
from api.endpoints.candidates import CandidateViewSet
from api.endpoints.decisions import DecisionViewSet
from api.endpoints.events import EventViewSet
from api.endpoints.kits import KitViewSet
from api.endpoints.scorecards import ScorecardViewSet
from api.endpoints.shortlists import ShortlistViewSet
from api.endpoints.submissions import SubmissionViewSet
from api.endpoints.webhooks import WebhookViewSet
from api.errors import api_not_found

app_name = "api"

router = SimpleRouter()
router.register("briefs", BriefViewSet, basename="brief")
router.register("submissions", SubmissionViewSet, basename="submission")
router.register("candidates", CandidateViewSet, basename="candidate")
router.register("scorecards", ScorecardViewSet, basename="scorecard")
router.register("shortlists", ShortlistViewSet, basename="shortlist")
router.register("events", EventViewSet, basename="event")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("decisions", DecisionViewSet, basename="decision")
router.register("agency-analytics", AgencyAnalyticsViewSet, basename="agency_analytics")
router.register("kits", KitViewSet, basename="kit")

urlpatterns = [
    path("api/v1/", include(router.urls)),
    path("api/schema/", ApiSchemaView.as_view(), name="schema"),
    path("api/docs/", ApiDocsView.as_view(), name="docs"),
    # Anything else under /api/ is a problem document, not the HTML 404 page.
    re_path(r"^api/", api_not_found, name="not_found"),
    path("settings/api-keys/", views_keys.api_key_list, name="key_list"),
    path("settings/api-keys/new/", views_keys.api_key_new, name="key_new"),
    path(
        "settings/api-keys/<uuid:public_id>/created/",
        views_keys.api_key_created,
        name="key_created",
    ),
    path(
        "settings/api-keys/<uuid:public_id>/revoke/",
        views_keys.api_key_revoke_view,
        name="key_revoke",
    ),
    path("settings/webhooks/", views_webhooks.webhook_list, name="webhook_list"),
    path("settings/webhooks/new/", views_webhooks.webhook_new, name="webhook_new"),
    path(
        "settings/webhooks/<uuid:public_id>/",
        views_webhooks.webhook_detail,
        name="webhook_detail",
    ),
    path(
        "settings/webhooks/<uuid:public_id>/secret/",
        views_webhooks.webhook_secret,
        name="webhook_secret",
    ),
    path(
        "settings/webhooks/<uuid:public_id>/test/",
        views_webhooks.webhook_test,
        name="webhook_test",
    ),
    path(
        "settings/webhooks/<uuid:public_id>/rotate/",
        views_webhooks.webhook_rotate,
        name="webhook_rotate",
    ),
    path(
        "settings/webhooks/<uuid:public_id>/delete/",
        views_webhooks.webhook_delete,
        name="webhook_delete",
    ),
]
