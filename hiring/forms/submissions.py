"""Forms of the submission pages: the agency's submission with its proof of production
delivery, the list filter, and the client's stage moves and the agency's withdrawal."""

from typing import Any, cast

from django import forms

from hiring.fields import CANDIDATE_FIELDS, MONITORING_SIGNALS, PROOF_FIELDS
from hiring.forms.widgets import text_area as _text
from hiring.forms.widgets import text_line as _line
from hiring.models import Stage


class SubmissionFilterForm(forms.Form):
    """The submission list's filters; they combine and stay in the URL. `brief` takes a
    brief's id (links from notifications and the home page) or a title typed into the
    searchable picker."""

    q = forms.CharField(required=False, label="Search", max_length=1000)
    brief = forms.CharField(required=False, label="Brief", max_length=1000)
    stage = forms.ChoiceField(required=False, choices=[("", "All stages"), *Stage.choices])
    agency = forms.ChoiceField(required=False)

    def __init__(
        self,
        *args: Any,
        brief_choices: list[tuple[str, str]],
        agency_choices: list[tuple[str, str]] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.brief_choices = brief_choices
        if agency_choices is None:
            del self.fields["agency"]
        else:
            cast(forms.ChoiceField, self.fields["agency"]).choices = [
                ("", "All agencies"),
                *agency_choices,
            ]

    def brief_label(self) -> str:
        """What the picker shows: the title of the chosen brief, or the text typed."""
        value = str(self.data.get("brief", "") or "")
        return dict(self.brief_choices).get(value, value)[:200]


PROOF_HELP = {
    "proof_shipped_solution": (
        "An AI solution the candidate shipped to production, ideally in a domain close to this "
        "client's: what it did, who used it, what the candidate owned."
    ),
    "proof_baseline": "How the system or process performed before the candidate's work.",
    "proof_improvement": "What changed after their iterations, in numbers where possible.",
    "proof_monitoring": "What they monitored in production (quality, drift, latency, cost).",
    "proof_quality_dip": "A time quality dropped after launch and how they found and fixed it.",
    "proof_links": "Write-ups, talks or repositories about that delivery, one per line.",
    "proof_domain": "The business domain it served, e.g. insurance claims or retail demand.",
    "proof_metric": "The one metric that shows the result, e.g. misrouted claims.",
    "proof_metric_unit": "Its unit, e.g. %, minutes, ms, $ per month.",
    "proof_baseline_value": "The metric before their work, as a number.",
    "proof_result_value": "The metric after their work, as a number.",
    "proof_monitoring_signals": "What was watched in production.",
    "proof_alert_thresholds": "The levels that raised an alert, as numbers.",
    "proof_rollback": "How model and code versions were kept and how a release was rolled back.",
    "proof_input_validation": "How bad inputs were caught and what the fallback did.",
    "proof_iteration": "What changed in the releases after launch, and what it moved.",
}


class SubmissionForm(forms.Form):
    """An agency puts a candidate forward for a brief, with proof of production delivery."""

    full_name = forms.CharField(required=False, label="Full name")
    email = forms.CharField(
        required=False,
        label="Email",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text="An email address or a phone number is required.",
    )
    phone = forms.CharField(
        required=False, label="Phone", help_text="With the country code, e.g. +44 20 7946 0958."
    )
    location = forms.CharField(required=False, label="Location")
    availability = forms.CharField(
        required=False, label="Availability", widget=_line("e.g. four weeks' notice")
    )
    skills = forms.CharField(
        required=False,
        label="Skills",
        help_text="Separated by commas, e.g. Python, PyTorch, MLflow.",
    )
    links = forms.CharField(
        required=False,
        label="Profile links",
        widget=_text(2),
        help_text="http(s) addresses, one per line.",
    )
    summary = forms.CharField(required=False, label="Summary", widget=_text(4))
    resume = forms.FileField(
        required=False,
        label="Resume",
        help_text="PDF, DOCX or plain text, up to 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.txt"}),
    )
    proof_shipped_solution = forms.CharField(
        required=False, widget=_text(3), label="Shipped AI solution"
    )
    proof_baseline = forms.CharField(required=False, widget=_text(2), label="Baseline before")
    proof_improvement = forms.CharField(required=False, widget=_text(2), label="Improvement after")
    proof_monitoring = forms.CharField(
        required=False, widget=_text(2), label="Monitoring in production"
    )
    proof_quality_dip = forms.CharField(
        required=False, widget=_text(2), label="How a quality dip was handled"
    )
    proof_links = forms.CharField(required=False, widget=_text(2), label="Evidence links")
    proof_domain = forms.CharField(required=False, widget=_line(), label="Its domain")
    proof_metric = forms.CharField(required=False, widget=_line(), label="Metric")
    proof_metric_unit = forms.CharField(required=False, widget=_line(), label="Unit")
    proof_baseline_value = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"}), label="Baseline"
    )
    proof_result_value = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"}), label="Result"
    )
    proof_monitoring_signals = forms.MultipleChoiceField(
        required=False,
        choices=[(signal, signal.capitalize()) for signal in MONITORING_SIGNALS],
        widget=forms.CheckboxSelectMultiple,
        label="Monitored signals",
    )
    proof_alert_thresholds = forms.CharField(
        required=False, widget=_text(2), label="Alert thresholds"
    )
    proof_rollback = forms.CharField(
        required=False, widget=_text(2), label="Rollback and versioning"
    )
    proof_input_validation = forms.CharField(
        required=False, widget=_text(2), label="Input validation and fallbacks"
    )
    proof_iteration = forms.CharField(
        required=False, widget=_text(2), label="Iteration after launch"
    )
    rate_amount = forms.DecimalField(
        required=False, max_digits=12, decimal_places=2, label="Candidate's rate"
    )
    rate_currency = forms.CharField(
        required=False, label="Currency", widget=forms.TextInput(attrs={"maxlength": 3, "size": 4})
    )
    right_to_represent = forms.BooleanField(
        required=False,
        label=("The candidate agreed that my agency represents them for this role at this client."),
    )
    # The resume read to prefill this form (hiring.resumes.resume_stage), by its token.
    staged_resume = forms.CharField(required=False, widget=forms.HiddenInput, max_length=1000)

    def __init__(self, *args: Any, required_proof: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.required_proof = required_proof
        for name in PROOF_FIELDS:
            self.fields[name].help_text = PROOF_HELP[name]
        for name in ("full_name", *required_proof):
            self.fields[name].widget.attrs["required"] = True
        self.fields["right_to_represent"].widget.attrs["required"] = True

    def candidate_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in CANDIDATE_FIELDS]

    def proof_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in PROOF_FIELDS]

    def candidate_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in CANDIDATE_FIELDS}

    def proof_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PROOF_FIELDS}


class ResumeUploadForm(forms.Form):
    """A resume to read into the submission form (hiring.resume_reading)."""

    resume_file = forms.FileField(
        label="Resume",
        help_text="PDF, DOCX or plain text, up to 5 MB. Nothing is submitted yet: you check "
        "what was read on the next page.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.txt"}),
    )


class MoveStageForm(forms.Form):
    to_stage = forms.ChoiceField(label="Move to")
    reason = forms.CharField(
        required=False,
        widget=_text(2),
        label="Reason",
        help_text="Required when rejecting; the agency sees it.",
    )

    def __init__(self, *args: Any, allowed: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Stage.choices)
        cast(forms.ChoiceField, self.fields["to_stage"]).choices = [
            (stage, labels[stage]) for stage in allowed
        ]


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        required=False,
        widget=_text(2, "e.g. the candidate accepted another offer"),
        label="Reason",
        help_text="Shown to the client with the withdrawal.",
    )
