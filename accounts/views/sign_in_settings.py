"""A client admin's sign-in settings (/settings/sign-in/): two-factor for admins and
executives, the single sign-on provider and its domains, mandatory single sign-on."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.forms import SignInRulesForm, SsoProviderForm
from accounts.models import SsoProvider
from accounts.sso import sign_in_rules_set, sso_domains_parse, sso_domains_text, sso_provider_save
from pages.access import Caller, workspace_page
from pages.forms import form_action
from tenants.roles import ADMINISTER_WORKSPACE


def _render(
    request: HttpRequest,
    caller: Caller,
    *,
    rules_form: SignInRulesForm | None = None,
    sso_form: SsoProviderForm | None = None,
    status: int = 200,
) -> HttpResponse:
    client = caller.client
    provider = SsoProvider.objects.filter(client=client).prefetch_related("domains").first()
    rules_form = rules_form or SignInRulesForm(
        initial={
            "two_factor_required": client.two_factor_required,
            "sso_mandatory": client.sso_mandatory,
        }
    )
    sso_form = sso_form or SsoProviderForm(
        initial={
            "issuer": provider.issuer if provider else "",
            "oidc_client_id": provider.oidc_client_id if provider else "",
            "is_enabled": provider.is_enabled if provider else False,
            "domains": sso_domains_text(provider),
        }
    )
    return render(
        request,
        "accounts/sign_in_settings.html",
        {
            "rules_form": rules_form,
            "sso_form": sso_form,
            "provider": provider,
            "callback_url": request.build_absolute_uri(reverse("sso_callback")),
        },
        status=status,
    )


@workspace_page(roles=ADMINISTER_WORKSPACE, methods=("GET", "POST"))
def sign_in_settings(request: HttpRequest, caller: Caller) -> HttpResponse:
    if request.method != "POST":
        return _render(request, caller)
    if request.POST.get("form") == "sso":
        sso_form = SsoProviderForm(request.POST)
        if not sso_form.is_valid():
            return _render(request, caller, sso_form=sso_form, status=400)
        try:
            domains = sso_domains_parse(sso_form.cleaned_data["domains"])
        except ValidationError as error:
            sso_form.add_error("domains", error)
            return _render(request, caller, sso_form=sso_form, status=400)
        data = sso_form.cleaned_data
        done = form_action(
            sso_form,
            lambda: sso_provider_save(
                client=caller.client,
                actor=caller.actor,
                issuer=data["issuer"],
                oidc_client_id=data["oidc_client_id"],
                client_secret=data["client_secret"],
                is_enabled=data["is_enabled"],
                domains=domains,
            ),
        )
        if not done.ok:
            return _render(request, caller, sso_form=sso_form, status=400)
        messages.success(request, "Single sign-on is saved.")
        return redirect("accounts:sign_in_settings")
    rules_form = SignInRulesForm(request.POST)
    if not rules_form.is_valid():
        return _render(request, caller, rules_form=rules_form, status=400)
    done = form_action(
        rules_form,
        lambda: sign_in_rules_set(
            client=caller.client,
            actor=caller.actor,
            two_factor_required=rules_form.cleaned_data["two_factor_required"],
            sso_mandatory=rules_form.cleaned_data["sso_mandatory"],
        ),
    )
    if not done.ok:
        return _render(request, caller, rules_form=rules_form, status=400)
    messages.success(request, "Sign-in rules are saved.")
    return redirect("accounts:sign_in_settings")
