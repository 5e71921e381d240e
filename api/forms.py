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
