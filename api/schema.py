"""OpenAPI for the partner API (drf-spectacular), so the published schema says what the
code does: bearer-key security, the scope and key kind of every operation, the problem
responses each can give, cursor pagination and the Idempotency-Key header on POST."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from api.errors import PROBLEM_CONTENT_TYPE
from api.idempotency import IDEMPOTENCY_HEADER, MAX_KEY_LENGTH, REPLAYED_HEADER

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: malformed JSON, a field error (see `errors`) or a bad query parameter.",
    "401": "No key, or the key is unknown, revoked, expired, sent in the URL, or used on "
    "another workspace's address.",
    "403": "The key lacks the scope, is the wrong kind of key for this operation, or belongs to "
    "an agency whose engagement is not active.",
    "404": "No such object within this key's reach.",
    "406": "The Accept header excludes application/json.",
    "409": "Conflicts with the current state (`code` says which), or a request with the same "
    "Idempotency-Key is still running.",
    "413": "The body exceeds the size limit.",
    "415": "The body is not JSON (send Content-Type: application/json).",
    "422": "The Idempotency-Key was used before with a different request.",
    "429": "Rate limit of the key reached; retry after Retry-After seconds.",
}


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.URLField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(help_text="Stable, machine-readable reason.")
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field errors by field name (dotted paths for nested fields).",
    )

    class Meta:
        ref_name = "Problem"


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "ahk_<12 characters>_<secret>",
            "description": "An API key created on the workspace's API keys page. Send it as "
            "`Authorization: Bearer <key>`, on the host of the workspace that issued it.",
        }


class PartnerAutoSchema(AutoSchema):
    def _action(self) -> str | None:
        action_map = getattr(self.view, "action_map", None) or {}
        return action_map.get(self.method.lower())

    def get_description(self) -> str:  # type: ignore[override]
        description = super().get_description() or ""
        action = self._action()
        scopes = getattr(self.view, "required_scopes", {})
        if action is None or action not in scopes:
            return description
        if action in getattr(self.view, "client_only_actions", ()):
            who = "client keys only"
        elif action in getattr(self.view, "agency_only_actions", ()):
            who = "agency keys only"
        else:
            who = "client and agency keys"
        note = f"**Scope:** `{scopes[action]}` · **Keys:** {who}."
        return f"{note}\n\n{description}".strip()

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self.method == "POST":
            parameters.append(
                OpenApiParameter(
                    IDEMPOTENCY_HEADER,
                    str,
                    OpenApiParameter.HEADER,
                    required=False,
                    description="Makes the POST safe to retry: the same key with the same "
                    "body replays the first response for 48 hours; with another body it is "
                    f"refused (422). 1 to {MAX_KEY_LENGTH} printable ASCII characters, e.g. a "
                    "UUID.",
                )
            )
            parameters.append(
                OpenApiParameter(
                    REPLAYED_HEADER,
                    str,
                    OpenApiParameter.HEADER,
                    response=[200, 201, 202],
                    description="`true` when this response is the stored response of an "
                    "earlier request with the same Idempotency-Key.",
                )
            )
        return parameters

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        """Fields a serializer lists in Meta.schema_optional_fields are documented but not
        required (fields only some callers receive)."""
        schema = super()._map_basic_serializer(serializer, direction)
        optional = set(getattr(getattr(serializer, "Meta", None), "schema_optional_fields", ()))
        if optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        return schema

    def _error_codes(self) -> list[str]:
        codes = ["400", "401", "403", "406", "429"]
        if "{" in self.path:
            codes.append("404")
        if self.method in ("POST", "PATCH"):
            codes += ["413", "415"]
        if self.method in ("POST", "PATCH", "DELETE"):
            codes.append("409")
        if self.method == "POST":
            codes.append("422")
        return sorted(set(codes))

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)  # type: ignore[arg-type]
        problem = self.resolve_serializer(ProblemSerializer(), "response").ref
        for code in self._error_codes():
            if code in responses:
                continue
            response: dict[str, Any] = {
                "description": ERROR_DESCRIPTIONS[code],
                "content": {PROBLEM_CONTENT_TYPE: {"schema": problem}},
            }
            if code == "401":
                response["headers"] = {
                    "WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}
                }
            if code == "429":
                response["headers"] = {
                    "Retry-After": {
                        "schema": {"type": "integer"},
                        "description": "Seconds to wait before retrying.",
                    }
                }
            responses[code] = response
        return responses
