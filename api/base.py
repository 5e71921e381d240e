"""The one base class of partner API endpoints. It owns, so that no endpoint can forget:

- key authentication (never the session), the host check and the agency engagement check
  (api.authentication, api.permissions);
- per-action scope and key-kind declarations, checked at class creation: an action without
  a scope makes the class fail to define;
- queryset scoping: subclasses implement `scoped_queryset(principal)`; `get_queryset` and
  `get_object` are final (overriding them raises TypeError at class creation). Objects are
  looked up by public id inside the scoped queryset, so "not yours" and "does not exist"
  (and "not a UUID") are the same 404;
- throttling per key, body size and media type limits, and Idempotency-Key on POST.

A subclass declares:

    class BriefViewSet(mixins.ListModelMixin, PartnerViewSet):
        model = RoleBrief
        required_scopes = {"list": "briefs:read", "create": "briefs:write"}
        client_only_actions = frozenset({"create"})

        def scoped_queryset(self, principal):
            return briefs_for(principal.access)
"""

import uuid
from typing import Any, ClassVar, final

from django.conf import settings
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpResponseBase
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from api.authentication import ApiKeyAuthentication, ApiPrincipal, principal_of
from api.errors import BodyTooLarge
from api.idempotency import (
    IDEMPOTENCY_HEADER,
    IdempotentReplay,
    clean_idempotency_key,
    idempotency_claim,
    idempotency_finish,
    replay_response,
    request_fingerprint,
)
from api.models import IdempotencyRecord
from api.pagination import DEFAULT_SYNC_ORDERING, SyncCursorPagination
from api.parsers import StrictJSONParser
from api.permissions import HasApiKeyScope
from api.renderers import OrjsonRenderer
from api.schema import PartnerAutoSchema
from api.throttling import ApiKeyRateThrottle
from tenants.models import ApiScope

STANDARD_ACTIONS = ("list", "retrieve", "create", "update", "partial_update", "destroy")
# Overriding any of these would bypass scoping, checks or idempotency.
FINAL_METHODS = (
    "get_queryset",
    "get_object",
    "initial",
    "dispatch",
    "initialize_request",
    "handle_exception",
    "finalize_response",
    "check_permissions",
    "check_object_permissions",
    "check_throttles",
    "perform_authentication",
    "get_authenticators",
    "get_permissions",
    "get_throttles",
    "get_parsers",
)
FIXED_ATTRIBUTES = (
    "authentication_classes",
    "permission_classes",
    "throttle_classes",
    "parser_classes",
    "pagination_class",
    "queryset",
    "lookup_field",
    "lookup_url_kwarg",
)
BODY_METHODS = ("POST", "PUT", "PATCH")


def declared_actions(cls: type) -> set[str]:
    actions = {name for name in STANDARD_ACTIONS if callable(getattr(cls, name, None))}
    actions |= {fn.__name__ for fn in cls.get_extra_actions()}  # type: ignore[attr-defined]
    return actions


class PartnerViewSet(GenericViewSet):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKeyScope]
    throttle_classes = [ApiKeyRateThrottle]
    parser_classes = [StrictJSONParser]
    renderer_classes = [OrjsonRenderer]
    pagination_class = SyncCursorPagination
    filter_backends = [DjangoFilterBackend]
    schema = PartnerAutoSchema()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    # Anything between slashes reaches get_object, which answers 404 for a non-UUID.
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "patch", "delete", "head"]

    model: ClassVar[type[models.Model]]
    sync_ordering: ClassVar[tuple[str, ...]] = DEFAULT_SYNC_ORDERING
    required_scopes: ClassVar[dict[str, str]] = {}
    client_only_actions: ClassVar[frozenset[str]] = frozenset()
    agency_only_actions: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__name__
        for method in FINAL_METHODS:
            if method in cls.__dict__:
                raise TypeError(
                    f"{name} overrides {method}(); partner endpoints get their rows from "
                    "scoped_queryset(principal) and their checks from PartnerViewSet."
                )
        for attribute in FIXED_ATTRIBUTES:
            if attribute in cls.__dict__:
                raise TypeError(f"{name} sets {attribute}; PartnerViewSet owns it.")
        if getattr(cls, "scoped_queryset", None) is PartnerViewSet.scoped_queryset:
            raise TypeError(f"{name} must implement scoped_queryset(principal).")
        if not isinstance(getattr(cls, "model", None), type):
            raise TypeError(f"{name} must name its model.")
        actions = declared_actions(cls)
        missing = sorted(actions - set(cls.required_scopes))
        if missing:
            raise TypeError(f"{name}: actions without a required scope: {', '.join(missing)}.")
        unknown = sorted(set(cls.required_scopes) - actions)
        if unknown:
            raise TypeError(f"{name}: scopes declared for unknown actions: {', '.join(unknown)}.")
        bad = sorted(s for s in cls.required_scopes.values() if s not in ApiScope.values)
        if bad:
            raise TypeError(f"{name}: unknown scopes: {', '.join(bad)}.")
        for kind_set in (cls.client_only_actions, cls.agency_only_actions):
            if not set(kind_set) <= actions:
                raise TypeError(f"{name}: key-kind rules name unknown actions.")
        if cls.client_only_actions & cls.agency_only_actions:
            raise TypeError(f"{name}: an action cannot be both client-only and agency-only.")
        # drf-spectacular reads `queryset` to type path parameters; rows never come from it.
        cls.queryset = cls.model._default_manager.none()

    # --- who is asking ---------------------------------------------------------------------

    @property
    def principal(self) -> ApiPrincipal:
        principal = principal_of(self.request)
        if principal is None:
            raise exceptions.NotAuthenticated()
        return principal

    def is_schema_generation(self) -> bool:
        return bool(getattr(self, "swagger_fake_view", False))

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        context["principal"] = None if self.is_schema_generation() else self.principal
        return context

    # --- rows --------------------------------------------------------------------------------

    def scoped_queryset(self, principal: ApiPrincipal) -> QuerySet[Any]:
        """Every row this principal may reach through this endpoint (override)."""
        raise NotImplementedError

    @final
    def get_queryset(self) -> QuerySet[Any]:
        if self.is_schema_generation():
            return self.model._default_manager.none()
        return self.scoped_queryset(self.principal)

    @final
    def get_object(self) -> Any:
        raw = self.kwargs.get(self.lookup_url_kwarg, "")
        try:
            public_id = uuid.UUID(str(raw))
        except ValueError:
            raise exceptions.NotFound() from None
        obj = self.get_queryset().filter(public_id=public_id).first()
        if obj is None:
            raise exceptions.NotFound()
        self.check_object_permissions(self.request, obj)
        return obj

    # --- request life cycle --------------------------------------------------------------------

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """A POST with an Idempotency-Key runs in one transaction with its key: the claim, the
        work and the stored response commit together, or not at all. A request cut off midway
        (the database restarted, the worker killed) leaves no key behind, so its retry runs
        afresh at once; a concurrent duplicate waits on the key's unique index and then
        replays the stored response. A 5xx answer rolls everything back."""
        if request.method != "POST" or IDEMPOTENCY_HEADER not in request.headers:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code >= 500:
                transaction.set_rollback(True)
        return response

    @final
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self._idempotency_record: IdempotencyRecord | None = None
        self._check_body(request)
        super().initial(request, *args, **kwargs)
        if request.method == "POST" and self.action is not None:
            self._claim_idempotency(request)

    def _check_body(self, request: Request) -> None:
        raw_length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw_length)
        except ValueError:
            raise exceptions.ParseError("The Content-Length header is not a number.") from None
        if length > int(settings.API_MAX_BODY_BYTES):
            raise BodyTooLarge(
                f"The request body is larger than {settings.API_MAX_BODY_BYTES} bytes."
            )
        if request.method in BODY_METHODS and length > 0 and not request.content_type:
            raise exceptions.UnsupportedMediaType(
                media_type="",
                detail="Send the body as JSON with 'Content-Type: application/json'.",
            )

    def _claim_idempotency(self, request: Request) -> None:
        raw_key = request.headers.get(IDEMPOTENCY_HEADER)
        if raw_key is None:
            return
        key = clean_idempotency_key(raw_key)
        # Parsed now: a malformed body is refused (400) before the key is taken.
        fingerprint = request_fingerprint(
            method=request.method or "POST", path=request.path, data=request.data
        )
        self._idempotency_record = idempotency_claim(
            api_key_id=self.principal.api_key.pk,
            key=key,
            fingerprint=fingerprint,
            method=request.method or "POST",
            path=request.path,
        )

    @final
    def handle_exception(self, exc: Exception) -> HttpResponseBase:  # type: ignore[override]
        if isinstance(exc, IdempotentReplay):
            return replay_response(exc.record)
        return super().handle_exception(exc)

    @final
    def finalize_response(  # type: ignore[override]
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[arg-type]
        record = getattr(self, "_idempotency_record", None)
        if record is not None:
            self._idempotency_record = None
            if isinstance(response, Response):
                response.render()
            idempotency_finish(record, response)
        return response
