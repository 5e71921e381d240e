"""The OpenAPI document and its Swagger UI page. Public (no key): they describe the API, not
a workspace's data. The UI's JavaScript and CSS are served from our own static files
(drf-spectacular-sidecar), never from a CDN."""

from typing import Any

from django.templatetags.static import static
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny


class ApiSchemaView(SpectacularAPIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []


class ApiDocsView(SpectacularSwaggerSplitView):
    """The page loads its init script from `?script` (no inline script, for the
    Content-Security-Policy) and its page styles from css/api-docs.css."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []
    url_name = "api:schema"
    title = "AI Hiring partner API"
    template_name = "api/swagger_ui.html"

    @staticmethod
    def _swagger_ui_resource(filename: str) -> str:
        return static(f"drf_spectacular_sidecar/swagger-ui-dist/{filename}")

    @staticmethod
    def _swagger_ui_favicon() -> str:
        return static("drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png")
