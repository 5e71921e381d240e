"""API keys in the platform admin: search and filters, never the key hash, and revocation as
an admin action through `api.keys.api_key_revoke` (audited in the client's trail). Keys are
created by their owners' pages or the `create_api_key` command, where they are shown once."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from api.keys import api_key_revoke
from tenants.admin_site import StaffModelAdmin
from tenants.models import ApiKey


class RevokedFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "revoked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("no", "Not revoked"), ("yes", "Revoked")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> QuerySet[ApiKey]:
        if self.value() == "no":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.action(description="Revoke the selected keys (requests with them are refused at once)")
def revoke_keys(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    revoked = 0
    for api_key in queryset.select_related("client"):
        if api_key.revoked_at is None:
            api_key_revoke(api_key=api_key, revoked_by=request.user)  # type: ignore[arg-type]
            revoked += 1
    modeladmin.message_user(request, f"{revoked} key(s) revoked.", messages.SUCCESS)


@admin.register(ApiKey)
class ApiKeyAdmin(StaffModelAdmin):
    list_display = (
        "name",
        "prefix",
        "client",
        "agency",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = (RevokedFilter, "client", "agency")
    search_fields = ("name", "prefix", "client__slug", "agency__slug")
    list_select_related = ("client", "agency")
    # key_hash is never shown.
    fields = (
        "name",
        "prefix",
        "public_id",
        "client",
        "agency",
        "scopes",
        "created_by_user_id",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    readonly_fields = fields
    actions = [revoke_keys]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
