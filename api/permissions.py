"""The checks every partner endpoint makes, in this order, declared on the view:

1. a key was presented and accepted (else 401 not_authenticated);
2. an agency key's engagement with the client is active (else 403 engagement_inactive);
3. the action is open to this kind of key, client or agency (else 403 key_kind_not_allowed);
4. the key holds the action's scope (else 403 missing_scope).

Object reach (404 for anything outside the key's reach) is the viewset's scoped queryset.
A view without scope declarations is refused: this class fails closed.
"""

from typing import Any

from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from api.authentication import principal_of
from api.errors import ApiForbidden


class HasApiKeyScope(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        principal = principal_of(request)
        if principal is None:
            raise NotAuthenticated("Send an API key: 'Authorization: Bearer <key>'.")
        if principal.is_agency and not principal.engagement_active:
            raise ApiForbidden(
                "Your agency's engagement with this client is not active, so its keys do not "
                "work here.",
                code="engagement_inactive",
            )
        required_scopes = getattr(view, "required_scopes", None)
        if not isinstance(required_scopes, dict):
            raise ApiForbidden("This endpoint declares no scope.", code="missing_scope")
        action = getattr(view, "action", None)
        if action is None:
            return True  # no handler for this method: the view answers 405
        if principal.is_agency and action in getattr(view, "client_only_actions", ()):
            raise ApiForbidden(
                "This operation is for the client's own keys, not agency keys.",
                code="key_kind_not_allowed",
            )
        if principal.is_client and action in getattr(view, "agency_only_actions", ()):
            raise ApiForbidden(
                "This operation is for agency keys: an agency's system does it for its agency.",
                code="key_kind_not_allowed",
            )
        scope = required_scopes.get(action)
        if scope is None:
            raise ApiForbidden("This operation declares no scope.", code="missing_scope")
        if scope not in principal.scopes:
            raise ApiForbidden(f"This key lacks the scope {scope}.", code="missing_scope")
        return True
