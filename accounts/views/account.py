"""A person's own account on the public host (/account/): name, password, two-factor,
open sessions."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from accounts.forms import CodeForm, ProfileForm
from accounts.mail import account_mail_send_now
from accounts.sessions import current_family, sessions_end_others, sessions_open
from accounts.two_factor import (
    code_verify,
    policy_requires_two_factor,
    recovery_codes_generate,
    recovery_codes_left,
    totp_device_of,
    totp_enrolment_confirm,
    totp_enrolment_start,
    totp_qr_data_uri,
    totp_secret_text,
    two_factor_disable,
)
from audit.errors import ConflictError
from tenants.models import User


def _verified(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_verified", lambda: False)())


@login_required
@never_cache
def account_home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ProfileForm(request.POST or None, initial={"name": user.name})
    if request.method == "POST" and form.is_valid():
        user.name = " ".join(form.cleaned_data["name"].split())
        user.save(update_fields=["name"])
        messages.success(request, "Your name is saved.")
        return redirect("account")
    return render(
        request,
        "accounts/account.html",
        {
            "form": form,
            "device": totp_device_of(user),
            "two_factor_required": policy_requires_two_factor(user),
            "recovery_left": recovery_codes_left(user=user),
            "sessions": sessions_open(user=user),
            "family": current_family(request),
            "verified": _verified(request),
        },
    )


@require_POST
@login_required
def sessions_end(request: HttpRequest) -> HttpResponse:
    ended = sessions_end_others(user=request.user, request=request)  # type: ignore[arg-type]
    messages.success(
        request,
        "You are signed out everywhere else."
        if ended
        else "There was no other session to sign out of.",
    )
    return redirect("account")


@method_decorator([sensitive_post_parameters(), never_cache, login_required], name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change. The current session stays signed in; every other session
    ends, known browsers are forgotten (tenants.signin_devices) and the person is told."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user
        update_session_auth_hash(self.request, user)
        sessions_end_others(user=user, request=self.request)
        account_mail_send_now(
            to=user.email,
            subject="Your AI Hiring password was changed",
            template="password_changed",
            context={"user": user},
        )
        messages.success(self.request, "Your password is changed. Other sessions are signed out.")
        return response


@login_required
@never_cache
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Turn on two-factor from the account page: scan, confirm, keep the recovery codes."""
    user: User = request.user  # type: ignore[assignment]
    if totp_device_of(user) is not None:
        return redirect("account")
    device = totp_enrolment_start(user=user)
    form = CodeForm(request.POST or None)
    context = {
        "form": form,
        "qr": totp_qr_data_uri(device),
        "secret": totp_secret_text(device),
        "enrolling": True,
        "from_account": True,
        "next": reverse("account"),
    }
    if request.method == "POST" and form.is_valid():
        codes = totp_enrolment_confirm(user=user, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, device)
            account_mail_send_now(
                to=user.email,
                subject="Two-factor sign-in is on for your AI Hiring account",
                template="two_factor_on",
                context={"user": user},
            )
            response = render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": reverse("account"), "first_time": True},
            )
            response["Cache-Control"] = "no-store"
            return response
        context["error"] = "That code is not right: enter the one your app shows now."
    return render(
        request,
        "accounts/two_factor.html",
        context,
        status=400 if form.errors or context.get("error") else 200,
    )


def _code_confirmed(request: HttpRequest) -> bool:
    form = CodeForm(request.POST)
    user: User = request.user  # type: ignore[assignment]
    return form.is_valid() and code_verify(user=user, code=form.cleaned_data["code"]) is not None


@require_POST
@login_required
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    if not _code_confirmed(request):
        messages.error(request, "Enter a current code from your app to make new recovery codes.")
        return redirect("account")
    codes = recovery_codes_generate(user=request.user)  # type: ignore[arg-type]
    response = render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "next": reverse("account"), "first_time": False},
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def two_factor_off(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not _code_confirmed(request):
        messages.error(request, "Enter a current code from your app to turn two-factor off.")
        return redirect("account")
    try:
        two_factor_disable(user=user)
    except ConflictError as error:
        messages.error(request, error.message)
        return redirect("account")
    account_mail_send_now(
        to=user.email,
        subject="Two-factor sign-in is off for your AI Hiring account",
        template="two_factor_off",
        context={"user": user},
    )
    messages.success(request, "Two-factor sign-in is off.")
    return HttpResponseRedirect(reverse("account"))
