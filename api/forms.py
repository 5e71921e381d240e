"""The form of the API key page."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from api.keys import NAME_MAX_LENGTH, scopes_for_kind
from tenants.models import ApiScope


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        label="Name",
        help_text="Name it after the system that will use it, e.g. 'Greenhouse sync'.",
    )
    scopes = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label="What the key may do",
        help_text="Give a key only what its system needs.",
    )
    expires_on = forms.DateField(
        required=False,
        label="Expires on (optional)",
        help_text="The key stops working at the end of this day. Leave empty for no expiry.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, agency_key: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(ApiScope.choices)
        scope_field = self.fields["scopes"]
        assert isinstance(scope_field, forms.MultipleChoiceField)
        scope_field.choices = [
            (scope, f"{labels[scope]} ({scope})") for scope in scopes_for_kind(agency=agency_key)
        ]

    def expires_at(self, timezone_name: str) -> dt.datetime | None:
        """The end of the chosen day in the workspace's time zone."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        try:
            zone = ZoneInfo(timezone_name)
        except (ValueError, KeyError):
            zone = ZoneInfo("UTC")
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


EVENT_TYPE_LABELS = {
    "brief.created": "A brief is created",
    "brief.updated": "A brief is edited",
    "brief.opened": "A brief is opened to agencies",
    "brief.status_changed": "A brief is put on hold, filled or closed",
    "submission.created": "A candidate is submitted",
    "submission.stage_changed": "A submission moves to another stage",
    "scorecard.submitted": "An interviewer submits a scorecard",
    "shortlist.updated": "A shortlist is recomputed",
    "candidate.erased": "A candidate's personal data is erased",
    "webhook.test": "Test events you send from this page",
}


class WebhookForm(forms.Form):
    """A webhook subscription on the webhook pages; api.webhooks.subscriptions validates."""

    api_key = forms.ChoiceField(
        label="API key",
        help_text="The subscription belongs to this key: it stops when the key is revoked.",
    )
    url = forms.CharField(
        max_length=500,
        label="Endpoint URL",
        help_text="An https address of your system. Private, loopback and cloud metadata "
        "addresses are refused, and redirects are not followed.",
        widget=forms.URLInput(attrs={"placeholder": "https://hooks.example.com/aihiring"}),
    )
    event_types = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Events",
        help_text="Tick none to receive every event this key may receive.",
    )
    description = forms.CharField(required=False, max_length=200, label="Description (optional)")

    def __init__(
        self,
        *args: Any,
        key_choices: list[tuple[str, str]],
        event_types: tuple[str, ...],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        key_field = self.fields["api_key"]
        assert isinstance(key_field, forms.ChoiceField)
        key_field.choices = key_choices
        if len(key_choices) == 1:
            key_field.initial = key_choices[0][0]
        events_field = self.fields["event_types"]
        assert isinstance(events_field, forms.MultipleChoiceField)
        events_field.choices = [
            (event, f"{EVENT_TYPE_LABELS.get(event, event)} ({event})") for event in event_types
        ]
