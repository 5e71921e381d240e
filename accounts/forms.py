"""Forms of the people and sign-in pages: they parse input; the rules live in the services."""

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm

from accounts.managers import Manager
from tenants.models import AgencyRole, ClientRole


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail", max_length=254)
    role = forms.ChoiceField(label="Role")

    def __init__(self, *args: Any, manager: Manager, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any role of the team is accepted here, so that the service says why one above the
        # manager's own is refused; the menu offers only those they may give.
        role: Any = self.fields["role"]
        role.choices = [*ClientRole.choices, *AgencyRole.choices]
        role.widget.choices = manager.grantable_roles()
        # The least reaching role first in mind: an invitation as admin is a deliberate choice.
        self.fields["role"].initial = (
            AgencyRole.RECRUITER if manager.team.is_agency else ClientRole.INTERVIEWER
        )
        self.fields["email"].widget.attrs.update({"autocomplete": "off"})


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role")

    def __init__(self, *args: Any, manager: Manager, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every role of the team: the service says why one above the manager's is refused.
        self.fields["role"].choices = manager.team.role_choices  # type: ignore[attr-defined]


class NewAccountForm(forms.Form):
    """Accepting an invitation without an account: a name and a password."""

    name = forms.CharField(label="Your name", max_length=200, required=False)
    password1 = forms.CharField(
        label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return cleaned


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class ProfileForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=200, required=False)


class ResetRequestForm(PasswordResetForm):
    """Django's reset form; sending is the task's (accounts.tasks), not the form's."""

    email = forms.EmailField(
        label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class NewPasswordForm(SetPasswordForm):
    pass


class SignInRulesForm(forms.Form):
    two_factor_required = forms.BooleanField(
        label="Admins and executives sign in with a second factor", required=False
    )
    sso_mandatory = forms.BooleanField(
        label="People of the mapped domains must sign in through single sign-on", required=False
    )


class SsoProviderForm(forms.Form):
    issuer = forms.CharField(
        label="Issuer URL",
        max_length=300,
        help_text="As your identity provider names it, e.g. https://login.example.com/realms/acme",
    )
    oidc_client_id = forms.CharField(label="Client id", max_length=200)
    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        max_length=500,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
    )
    is_enabled = forms.BooleanField(
        label="Offer single sign-on on the sign-in page", required=False
    )
    domains = forms.CharField(
        label="E-mail domains and the role their people get the first time",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line: example.com = interviewer",
    )
