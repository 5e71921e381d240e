"""The OpenAPI document and its Swagger UI page. Public (no key): they describe the API, not
a workspace's data. The UI's JavaScript and CSS are served from our own static files
(drf-spectacular-sidecar), never from a CDN.

The document is built once per process and kept: it depends only on the code (the URL
patterns, the endpoints, their serializers and settings), never on the workspace or the
caller, and building it walks every endpoint (about a second of CPU). It is kept per API
version and language; a settings change (tests) forgets it."""

from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

# (api version, language) -> the OpenAPI document, per process.
_documents: dict[tuple[str | None, str | None], dict[str, Any]] = {}


def schema_cache_clear() -> None:
    """Forget the built documents (the next request builds them again)."""
    _documents.clear()


@receiver(setting_changed)
def _forget_documents_on_setting_change(**kwargs: Any) -> None:
    schema_cache_clear()


class ApiSchemaView(SpectacularAPIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []

    def _get_schema_response(self, request: Request) -> Response:
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, translation.get_language())
        document = _documents.get(key)
        if document is None:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            document = generator.get_schema(request=request, public=self.serve_public)
            _documents[key] = document
        filename = self._get_filename(request, version)
        return Response(
            data=document, headers={"Content-Disposition": f'inline; filename="{filename}"'}
        )


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
