"""The second step of a sign-in (/accounts/two-factor/ on every host): a code from the
authenticator app or a recovery code; or, for someone required to use two-factor who has no
device yet, enrolment (scan the QR code, confirm a code, keep the recovery codes).

Also the step-up a workspace's rules ask for (accounts.policy): a signed-in person whose
session has not passed a second factor. Every code tried here counts against the sign-in
throttle (tenants.signin_throttle) like a password: per account and address, growing delays.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from accounts.forms import CodeForm
from accounts.two_factor import (
    code_verify,
    totp_device_of,
    totp_enrolment_confirm,
    totp_enrolment_start,
    totp_qr_data_uri,
    totp_secret_text,
)
from tenants.models import User
from tenants.signin_devices import known_device_of
from tenants.signin_steps import (
    safe_next,
    signin_completed,
    signin_pending,
    signin_pending_clear,
    signin_pending_finish,
)
from tenants.signin_throttle import (
    SignInAttempt,
    client_address,
    signin_failure_record,
    signin_retry_after,
    wait_in_words,
)


def _attempt(request: HttpRequest, user: User) -> SignInAttempt:
    return SignInAttempt(
        address=client_address(request),
        email=user.email,
        device=known_device_of(request, user.email),
    )


def _throttled(request: HttpRequest, context: dict[str, Any], wait: int) -> HttpResponse:
    context["error"] = f"Too many failed sign-in attempts. Try again in {wait_in_words(wait)}."
    response = render(request, "accounts/two_factor.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response


@never_cache
def two_factor_step(request: HttpRequest) -> HttpResponse:
    pending = signin_pending(request)
    if request.method == "POST" and request.POST.get("cancel"):
        signin_pending_clear(request)
        return HttpResponseRedirect(reverse("login"))
    if pending is not None:
        user = pending.user
        default_next = pending.next_url
    elif request.user.is_authenticated:
        user = request.user
        default_next = "/"
        if getattr(request.user, "is_verified", lambda: False)():
            return HttpResponseRedirect(safe_next(request, request.GET.get("next"), default_next))
    else:
        return HttpResponseRedirect(reverse("login"))
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"), default_next)
    device = totp_device_of(user)
    enrolling = totp_enrolment_start(user=user) if device is None else None
    form = CodeForm(request.POST or None)
    context: dict[str, Any] = {
        "form": form,
        "next": next_url,
        "enrolling": enrolling is not None,
        "pending": pending is not None,
    }
    if enrolling is not None:
        context["qr"] = totp_qr_data_uri(enrolling)
        context["secret"] = totp_secret_text(enrolling)
    if request.method != "POST":
        return render(request, "accounts/two_factor.html", context)
    attempt = _attempt(request, user)
    wait = signin_retry_after(attempt)
    if wait:
        return _throttled(request, context, wait)
    if not form.is_valid():
        signin_failure_record(attempt)
        context["error"] = "Enter the code."
        return render(request, "accounts/two_factor.html", context, status=400)
    code = form.cleaned_data["code"]
    codes: list[str] | None = None
    if enrolling is not None:
        codes = totp_enrolment_confirm(user=user, device=enrolling, code=code)
        verified = enrolling if codes is not None else None
    else:
        verified = code_verify(user=user, code=code)
    if verified is None:
        signin_failure_record(attempt)
        context["error"] = (
            "That code is not right. Codes change every 30 seconds: enter the one your app "
            "shows now, or a recovery code."
        )
        return render(request, "accounts/two_factor.html", context, status=400)
    if pending is not None:
        signin_pending_finish(request, pending)
    otp_login(request, verified)
    if codes is not None:
        response = render(
            request,
            "accounts/recovery_codes.html",
            {"codes": codes, "next": next_url, "first_time": True},
        )
        response["Cache-Control"] = "no-store"
    else:
        response = HttpResponseRedirect(next_url)
    signin_completed(response, request=request, user=user)
    return response
