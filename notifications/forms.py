"""Forms of the notification pages: a person's email preferences and the reminder rules."""

from django import forms

from notifications.calendar import known_time_zones, weekday_choices
from notifications.reminders.rule_settings import SETTING_LIMITS

HOUR_CHOICES = [(hour, f"{hour:02d}:00") for hour in range(24)]


class PreferencesForm(forms.Form):
    email_reminders = forms.BooleanField(
        required=False,
        label="Email me reminders",
        help_text="Overdue scorecards, candidates waiting for feedback, briefs about to close "
        "and drafts that are not ready yet. They always appear here in the app.",
    )
    email_updates = forms.BooleanField(
        required=False,
        label="Email me updates",
        help_text="What happened that concerns you: a new candidate for your brief, a "
        "scorecard to fill, a candidate of yours moving on, a brief opened to your agency. "
        "A burst of them comes as one email.",
    )
    email_digest = forms.BooleanField(
        required=False,
        label="Email me the weekly hiring digest",
        help_text="Executives receive a summary of shortlist changes, the pipeline of open "
        "briefs and overdue items once a week.",
    )


def _number(name: str, label: str, help_text: str) -> forms.IntegerField:
    lowest, highest = SETTING_LIMITS[name]
    return forms.IntegerField(label=label, help_text=help_text, min_value=lowest, max_value=highest)


class ReminderSettingsForm(forms.Form):
    # A searchable picker (a text field with the zones as suggestions, no script): a
    # dropdown of some 600 raw names could not be searched.
    timezone = forms.CharField(
        label="Time zone of the workspace",
        max_length=64,
        help_text="Type a city or region, e.g. Europe/Berlin or America/New_York. Business "
        "days, quiet hours and the digest follow this time zone.",
        widget=forms.TextInput(attrs={"list": "timezone-options", "autocomplete": "off"}),
    )
    scorecard_overdue_hours = _number(
        "scorecard_overdue_hours",
        "Remind interviewers this many hours after a scorecard is due",
        "Then once a day until the limit below.",
    )
    scorecard_repeat_limit = _number(
        "scorecard_repeat_limit",
        "Reminders per overdue scorecard, at most",
        "Counting the first one.",
    )
    feedback_sla_business_days = _number(
        "feedback_sla_business_days",
        "Give agencies feedback within this many business days",
        "Monday to Friday. Past it, the brief's owner and the hiring managers are reminded "
        "daily; agencies see how long their candidates have been waiting.",
    )
    brief_closing_days = _number(
        "brief_closing_days",
        "Tell agencies this many days before a brief's deadline",
        "Once per brief and deadline, to the people of each agency that can see the brief.",
    )
    draft_stale_days = _number(
        "draft_stale_days",
        "Remind the owner of a draft that is not ready after this many days",
        "Once a week while it stays unready.",
    )
    digest_weekday = forms.TypedChoiceField(
        label="Send the executive digest on", coerce=int, choices=weekday_choices()
    )
    digest_hour = forms.TypedChoiceField(label="at", coerce=int, choices=HOUR_CHOICES)
    quiet_hours_start = forms.TypedChoiceField(
        label="Quiet hours from",
        coerce=int,
        choices=HOUR_CHOICES,
        help_text="No reminders are created or emailed in quiet hours; they go out when "
        "quiet hours end. Choose the same hour twice for no quiet hours.",
    )
    quiet_hours_end = forms.TypedChoiceField(label="until", coerce=int, choices=HOUR_CHOICES)

    def time_zones(self) -> list[str]:
        return sorted(known_time_zones())

    def clean_timezone(self) -> str:
        typed = " ".join(str(self.cleaned_data.get("timezone") or "").split())
        zones = {zone.lower(): zone for zone in known_time_zones()}
        zone = zones.get(typed.lower()) or zones.get(typed.lower().replace(" ", "_"))
        if zone is None:
            raise forms.ValidationError(
                "Select a valid choice: a time zone from the list, such as Europe/Berlin."
            )
        return zone
