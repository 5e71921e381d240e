"""Sign-in forms. Every way of signing in (workspace and public hosts, platform admin) uses
one of these, so every one goes through the same throttle (tenants.signin_throttle)."""

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from tenants.signin_devices import known_device_of
from tenants.signin_steps import second_factor_required
from tenants.signin_throttle import (
    SignInAttempt,
    client_address,
    normalized_email,
    signin_failure_record,
    signin_retry_after,
    signin_success_record,
    wait_in_words,
)


class EmailSignInForm(AuthenticationForm):
    """E-mail and password, throttled. When the throttle refuses, the password is not even
    checked; `throttled_seconds` tells the view to answer 429 with Retry-After."""

    username = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    throttled_seconds = 0
    # Set when the password is right: whether a second step must come before a session.
    second_factor_needed = False

    def clean_username(self) -> str:
        return normalized_email(self.cleaned_data["username"])

    def clean(self) -> dict[str, Any]:
        assert self.request is not None, "sign-in forms are built with the request"
        # The raw field, not cleaned_data: a made-up or malformed e-mail counts too.
        email = normalized_email(self.data.get(self.add_prefix("username")))
        attempt = SignInAttempt(
            address=client_address(self.request),
            email=email,
            device=known_device_of(self.request, email) if email else None,
        )
        wait = signin_retry_after(attempt)
        if wait:
            self.throttled_seconds = wait
            raise ValidationError(
                f"Too many failed sign-in attempts. Try again in {wait_in_words(wait)}.",
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            signin_failure_record(attempt)
            raise
        if self.user_cache is None:  # an empty or malformed field: no password was checked
            signin_failure_record(attempt)
        elif not self.second_factor_needed:
            signin_success_record(attempt)
        # With a second factor to come, the count starts over only when the code is right
        # (tenants.signin_steps.signin_completed): a right password does not reset it.
        return cleaned

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        # The second factor (tenants.signin_steps): platform staff always, people with a
        # device, people a workspace's policy covers. The view then starts no session but a
        # pending sign-in; a known device does not skip it.
        self.second_factor_needed = second_factor_required(user)


class AdminSignInForm(EmailSignInForm, AdminAuthenticationForm):
    """The platform admin's sign-in: the same throttle, and only platform staff get in (a
    right password of someone else counts as a failure)."""
