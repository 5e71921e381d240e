"""Password reset by e-mail with Django's views, on the public host and on every workspace
host (the link in the e-mail leads back to the host it was asked from, when the person may
open it). Requests are limited per e-mail and per network address, counted whether or not
the address has an account; the answer is the same either way."""

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts.forms import NewPasswordForm, ResetRequestForm
from accounts.links import Links
from accounts.mail import account_mail_send_now
from accounts.models import AccountSession
from accounts.sessions import sessions_end_others
from accounts.tasks import password_reset_mail_send
from accounts.throttle import limit_hit, wait_in_words
from tenants.signin_throttle import client_address


class ResetRequestView(auth_views.PasswordResetView):
    form_class = ResetRequestForm
    template_name = "accounts/reset_request.html"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"]
        wait = max(
            limit_hit(
                kind="reset-email",
                subject=email,
                limit=settings.PASSWORD_RESET_LIMIT_PER_EMAIL,
                window_seconds=3600,
            ),
            limit_hit(
                kind="reset-address",
                subject=client_address(self.request),
                limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
                window_seconds=3600,
            ),
        )
        if wait:
            form.add_error(
                None,
                "Too many reset requests for this address or from this network. Try again in "
                f"{wait_in_words(wait)}.",
            )
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(wait)
            return response
        links = Links.like(self.request)
        password_reset_mail_send.delay(
            email=email,
            host=self.request.get_host().split(":")[0],
            scheme=links.scheme,
            port_suffix=links.port_suffix,
        )
        return HttpResponseRedirect(self.get_success_url())


class ResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/reset_done.html"


@method_decorator([sensitive_post_parameters(), never_cache], name="dispatch")
class ResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's check of the link (used once: the token is bound to the password, which the
    reset changes; expires after PASSWORD_RESET_TIMEOUT). Every session of the person ends."""

    form_class = NewPasswordForm
    template_name = "accounts/reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")
    post_reset_login = False

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user
        sessions_end_others(user=user, request=self.request)
        AccountSession.objects.filter(user=user).delete()
        account_mail_send_now(
            to=user.email,
            subject="Your AI Hiring password was changed",
            template="password_changed",
            context={"user": user},
        )
        return response


class ResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/reset_complete.html"
