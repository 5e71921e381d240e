"""The platform's own models in the platform admin (/admin/ on the public host, staff only).

- Clients: "Add" is provisioning (`tenants.services.client_provision`: the row, the host name
  and the client's own schema, in one transaction); no plain model form can create a client
  without its schema. Clients are deactivated, never deleted here.
- Domains, people, memberships and agencies: search and filters. New people get their
  password through `user_create` (no password hash is ever shown); agencies' slugs follow the
  rules of `agency_create`.
Engagements are in administration/admin.py and API keys in api/admin.py, each beside the
services that change them.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from tenants.admin_site import StaffModelAdmin
from tenants.models import Agency, AgencyMembership, Client, ClientMembership, Domain, User
from tenants.services import (
    HOSTNAME_PATTERN,
    client_provision,
    normalize_login_email,
    password_validate,
    slug_validate,
    user_create,
)

# Roles are memberships, not Django groups: the admin does not offer groups.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


def _form_errors(form: forms.BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            for message in messages_:
                form.add_error(field if field in form.fields else None, message)
    else:
        form.add_error(None, error.messages)


# --- clients and domains ---------------------------------------------------------------------


class ProvisionClientForm(forms.Form):
    slug = forms.CharField(
        max_length=40,
        help_text="2-40 lowercase letters, digits or hyphens: the workspace lives at "
        "<slug>.<base domain> and in the schema c_<slug>.",
    )
    name = forms.CharField(max_length=200, help_text="The company's name, as its people see it.")
    domain = forms.CharField(
        max_length=253,
        required=False,
        help_text="Optional: a host name of the client's own (e.g. hire.globex.com) instead "
        "of <slug>.<base domain>.",
    )


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ("domain", "is_primary")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff)


@admin.register(Client)
class ClientAdmin(StaffModelAdmin):
    list_display = ("name", "slug", "schema_name", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "domains__domain")
    # The retention period is the client's decision, changed (and audited) on its Privacy page.
    readonly_fields = ("slug", "schema_name", "public_id", "candidate_retention_days", "created_at")
    fields = (
        "name",
        "slug",
        "schema_name",
        "public_id",
        "timezone",
        "ownership_window_days",
        "candidate_retention_days",
        "interviewers_see_contact_details",
        "is_active",
        "created_at",
    )
    inlines = (DomainInline,)
    ordering = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Client]:
        # The public schema's own row routes the public host: not a client.
        return super().get_queryset(request).exclude(schema_name="public")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Provisioning, not a model form: a client is a schema as much as a row."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ProvisionClientForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = client_provision(
                    slug=form.cleaned_data["slug"],
                    name=form.cleaned_data["name"],
                    domain=form.cleaned_data["domain"] or None,
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                self.log_addition(request, result.client, [{"added": {}}])
                messages.success(
                    request,
                    f"{result.client.name} is provisioned at {result.domain} "
                    f"({result.seconds:.2f} s). Grant its first admin a role: "
                    f"manage.py grant --email ... --client {result.client.slug} --role admin, "
                    "or add a client membership here.",
                )
                return redirect("admin:tenants_client_change", result.client.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Provision a client",
            "form": form,
            "opts": self.model._meta,
            "has_view_permission": self.has_view_permission(request),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/tenants/client/provision.html", context)


class DomainAdminForm(forms.ModelForm):
    class Meta:
        model = Domain
        fields = ("domain", "tenant", "is_primary")

    def clean_domain(self) -> str:
        host = (self.cleaned_data.get("domain") or "").strip().lower()
        if not HOSTNAME_PATTERN.match(host):
            raise ValidationError(f"'{host}' is not a valid host name.")
        return host


@admin.register(Domain)
class DomainAdmin(StaffModelAdmin):
    form = DomainAdminForm
    list_display = ("domain", "tenant", "is_primary")
    list_filter = ("is_primary",)
    search_fields = ("domain", "tenant__name", "tenant__slug")
    list_select_related = ("tenant",)


# --- people and memberships ----------------------------------------------------------------


class UserAddForm(forms.ModelForm):
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        help_text="At least 8 characters. Stored hashed; tell it to the person privately.",
    )

    class Meta:
        model = User
        fields = ("email", "name", "is_staff")

    def clean_email(self) -> str:
        try:
            email = normalize_login_email(self.cleaned_data.get("email") or "")
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError("A user with this email already exists.")
        return email

    def clean_password(self) -> str:
        return password_validate(self.cleaned_data.get("password") or "")


class ClientMembershipInline(admin.TabularInline):
    model = ClientMembership
    extra = 0
    fields = ("client", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("client",)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff)


class AgencyMembershipInline(ClientMembershipInline):
    model = AgencyMembership  # type: ignore[assignment]
    fields = ("agency", "role", "created_at")
    autocomplete_fields = ("agency",)


@admin.register(User)
class UserAdmin(StaffModelAdmin):
    list_display = ("email", "name", "is_staff", "is_active", "date_joined", "last_login")
    list_filter = ("is_staff", "is_active", "is_superuser")
    search_fields = ("email", "name")
    ordering = ("email",)
    fields = (
        "email",
        "name",
        "public_id",
        "is_active",
        "is_staff",
        "is_superuser",
        "date_joined",
        "last_login",
    )
    readonly_fields = ("public_id", "is_superuser", "date_joined", "last_login")
    inlines = (ClientMembershipInline, AgencyMembershipInline)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = UserAddForm
            kwargs["fields"] = ("email", "name", "is_staff", "password")
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("email", "name", "is_staff", "password")
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.readonly_fields

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return () if obj is None else self.inlines

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = user_create(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            name=form.cleaned_data.get("name") or "",
        )
        if form.cleaned_data.get("is_staff"):
            created.is_staff = True
            created.save(update_fields=["is_staff"])
        # The admin goes on with `obj` (its log entry, the redirect): make it the new row.
        obj.pk = created.pk
        obj.public_id = created.public_id
        obj.email = created.email


@admin.register(ClientMembership)
class ClientMembershipAdmin(StaffModelAdmin):
    list_display = ("user", "client", "role", "created_at")
    list_filter = ("role", "client")
    search_fields = ("user__email", "user__name", "client__name", "client__slug")
    list_select_related = ("user", "client")
    autocomplete_fields = ("user", "client")


@admin.register(AgencyMembership)
class AgencyMembershipAdmin(StaffModelAdmin):
    list_display = ("user", "agency", "role", "created_at")
    list_filter = ("role", "agency")
    search_fields = ("user__email", "user__name", "agency__name", "agency__slug")
    list_select_related = ("user", "agency")
    autocomplete_fields = ("user", "agency")


# --- agencies ------------------------------------------------------------------------------


class AgencyAdminForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ("name", "slug", "is_active")

    def clean_slug(self) -> str:
        return slug_validate(self.cleaned_data.get("slug") or "")


@admin.register(Agency)
class AgencyAdmin(StaffModelAdmin):
    form = AgencyAdminForm
    list_display = ("name", "slug", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
    readonly_fields = ("public_id", "created_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Submissions reference agencies in every client's schema: deactivate instead.
        return False
