"""Forms of the administration pages. They parse and present; the rules are the services'."""

import datetime as dt
import uuid
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from administration.audit_trail import ACTION_GROUPS, OBJECT_KINDS
from administration.services.engagements import MAX_WINDOW_DAYS, MIN_WINDOW_DAYS
from administration.services.privacy import MAX_RETENTION_DAYS
from hiring.services.privacy import ERASURE_REASONS
from hiring.text import line_text_clean


class AgencySearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Find an agency",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name of the agency"}),
    )

    def clean_q(self) -> str:
        return line_text_clean(self.cleaned_data.get("q", ""))


class TermsForm(forms.Form):
    ownership_window_days = forms.IntegerField(
        min_value=MIN_WINDOW_DAYS,
        max_value=MAX_WINDOW_DAYS,
        label="Ownership window (days)",
        help_text="The first agency to submit a person represents them here for this many "
        "days: another agency's submission of the same person is refused until then.",
    )
    fee_percent = forms.DecimalField(
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        max_digits=5,
        label="Fee (% of first-year salary, optional)",
        help_text="What you agreed with the agency, for your records. Leave empty if none.",
    )


class EngageForm(TermsForm):
    agency = forms.ChoiceField(widget=forms.RadioSelect, label="Agency")
    field_order = ["agency", "ownership_window_days", "fee_percent"]

    def __init__(self, *args: Any, agency_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["agency"]).choices = agency_choices


class RetentionForm(forms.Form):
    candidate_retention_days = forms.IntegerField(
        min_value=0,
        max_value=MAX_RETENTION_DAYS,
        label="Erase closed candidates after (days)",
        help_text="Counted from the day a person's last submission was rejected or withdrawn. "
        "0 turns automatic erasure off.",
    )
    # Set by the confirmation step when the new period erases people at the next run.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ErasureForm(forms.Form):
    reason = forms.ChoiceField(
        choices=[
            ("", "Choose why"),
            *((code, text.capitalize()) for code, text in ERASURE_REASONS.items()),
        ],
        label="Why is this person's data erased?",
        help_text="Only the category is kept in the audit trail: a written reason could itself "
        "name the person.",
    )
    confirm_name = forms.CharField(
        max_length=200,
        label="Type the person's name to confirm",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, expected_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected_name = expected_name
        self.fields["confirm_name"].help_text = f"Type {expected_name} exactly as shown here."

    def clean_confirm_name(self) -> str:
        typed = line_text_clean(self.cleaned_data.get("confirm_name", ""))
        if " ".join(typed.split()).casefold() != " ".join(self.expected_name.split()).casefold():
            raise ValidationError("The name does not match: nothing was erased.")
        return typed


class AuditFilterForm(forms.Form):
    who = forms.ChoiceField(required=False, label="Who")
    what = forms.ChoiceField(
        required=False,
        label="What",
        choices=[("", "Everything"), *((group.code, group.label) for group in ACTION_GROUPS)],
    )
    object_type = forms.ChoiceField(
        required=False,
        label="Object",
        choices=[("", "Any object"), *OBJECT_KINDS.items()],
    )
    object_id = forms.CharField(required=False, widget=forms.HiddenInput)
    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["who"]).choices = [("", "Anyone"), *people]

    def clean_object_id(self) -> str:
        value = (self.cleaned_data.get("object_id") or "").strip()
        if not value:
            return ""
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise ValidationError("Not an object id.") from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since: dt.date | None = cleaned.get("since")
        until: dt.date | None = cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return cleaned


class AgencyInviteForm(TermsForm):
    """A new agency's name, its admin's address and the terms its engagement starts on."""

    agency_name = forms.CharField(
        max_length=200,
        label="Agency's name",
        help_text="As the agency is known; its admin sees it in the invitation.",
    )
    email = forms.EmailField(
        max_length=254,
        label="E-mail of the agency's admin",
        help_text="The person who will manage the agency's people and submissions here.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    field_order = ["agency_name", "email", "ownership_window_days", "fee_percent"]
