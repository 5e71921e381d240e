"""Forms of the scoring pages.

They parse and present input; the rules (evidence for extreme scores, who may be assigned,
reasons for rejections and floor overrides) live in scoring.services, whose field errors the
views put next to the fields with `hiring.forms.apply_service_errors`.
"""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError

from scoring.kits import KitSection
from scoring.models import EVIDENCE_FIELDS, SCORE_FIELDS, Recommendation, Scorecard

NOT_SCORED = ""


class ScorecardForm(forms.Form):
    """The AI Delivery Scorecard: a 0-5 score and evidence per category of the interview kit,
    then an overall recommendation and a summary. Every field is optional here: a draft may be
    partial, and what a submission needs is checked by scorecard_save."""

    recommendation = forms.ChoiceField(
        required=False,
        choices=[(NOT_SCORED, "Not decided yet"), *Recommendation.choices],
        widget=forms.RadioSelect,
        label="Overall recommendation",
        help_text="Your call on this candidate for this brief, all categories considered.",
    )
    summary = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Summary for the hiring team",
        help_text="Strengths, risks and what you would probe in a next round.",
    )

    def __init__(self, *args: Any, kit: list[KitSection], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kit = kit
        for section in kit:
            code = section.code.lower()
            self.fields[f"score_{code}"] = forms.ChoiceField(
                required=False,
                choices=[
                    *[(str(score), anchor) for score, anchor in enumerate(section.anchors)],
                    (NOT_SCORED, "Not scored"),
                ],
                widget=forms.RadioSelect,
                label=f"{section.code}. {section.name}",
            )
            self.fields[f"evidence_{code}"] = forms.CharField(
                required=False,
                max_length=5000,
                widget=forms.Textarea(
                    attrs={
                        "rows": 3,
                        "placeholder": "What the candidate said or showed: a project, a number, "
                        "a step-by-step answer.",
                    }
                ),
                label="Evidence",
            )

    @staticmethod
    def initial_from(scorecard: Scorecard | None) -> dict[str, Any]:
        if scorecard is None:
            return {}
        initial: dict[str, Any] = {
            field: ("" if getattr(scorecard, field) is None else str(getattr(scorecard, field)))
            for field in SCORE_FIELDS
        }
        initial.update({field: getattr(scorecard, field) for field in EVIDENCE_FIELDS})
        initial["recommendation"] = scorecard.recommendation
        initial["summary"] = scorecard.summary
        return initial

    def service_data(self) -> dict[str, Any]:
        """The cleaned values in the shape scorecard_save takes ("" clears a score)."""
        fields = (*SCORE_FIELDS, *EVIDENCE_FIELDS, "recommendation", "summary")
        return {field: self.cleaned_data.get(field, "") for field in fields}


class AssignInterviewerForm(forms.Form):
    # A searchable picker (a text field with the team as suggestions, no script): a large
    # client's dropdown of everyone who interviews could list hundreds of people.
    interviewer = forms.CharField(
        label="Interviewer",
        max_length=400,
        help_text="Type a name or an e-mail address. Members of your team who interview: "
        "interviewers, hiring managers and admins.",
        widget=forms.TextInput(attrs={"list": "interviewer-options", "autocomplete": "off"}),
    )
    due_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Scorecard due",
        help_text="By the end of this day. Leave empty for 48 hours from now.",
    )

    def __init__(
        self,
        *args: Any,
        interviewer_choices: list[tuple[str, str]],
        timezone_name: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.interviewer_choices = interviewer_choices
        self.zone = ZoneInfo(timezone_name or "UTC")

    def clean_interviewer(self) -> str:
        """The chosen person's public id, from their id, the suggestion's text or their
        e-mail address (what a person types or picks)."""
        typed = " ".join(str(self.cleaned_data.get("interviewer") or "").split())
        for public_id, label in self.interviewer_choices:
            if typed in (public_id, label):
                return public_id
        lowered = typed.lower()
        by_email = [
            public_id
            for public_id, label in self.interviewer_choices
            if lowered and label.lower().endswith(f", {lowered})")
        ]
        if len(by_email) == 1:
            return by_email[0]
        raise ValidationError("Choose a person from the list.")

    def clean_due_date(self) -> dt.date | None:
        due: dt.date | None = self.cleaned_data.get("due_date")
        if due is not None and due < dt.datetime.now(self.zone).date():
            raise ValidationError("Choose today or a later day.")
        return due

    def due_at(self) -> dt.datetime | None:
        """The end of the chosen day in the client's time zone (None: the service default)."""
        due = self.cleaned_data.get("due_date")
        if due is None:
            return None
        return dt.datetime.combine(due, dt.time(23, 59), tzinfo=self.zone)


class RescheduleForm(forms.Form):
    """A new due date for an assigned interviewer's scorecard."""

    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="New due date")

    def __init__(self, *args: Any, timezone_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = ZoneInfo(timezone_name or "UTC")

    def clean_due_date(self) -> dt.date:
        due: dt.date = self.cleaned_data["due_date"]
        if due < dt.datetime.now(self.zone).date():
            raise ValidationError("Choose today or a later day.")
        return due

    def due_at(self) -> dt.datetime:
        return dt.datetime.combine(self.cleaned_data["due_date"], dt.time(23, 59), tzinfo=self.zone)


class DecisionForm(forms.Form):
    """Advance or reject one candidate from the snapshot the executive was looking at."""

    shortlist = forms.UUIDField(widget=forms.HiddenInput)
    submission = forms.UUIDField(widget=forms.HiddenInput)
    decision = forms.CharField(max_length=10)
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason",
        help_text="Required to reject: the agency sees it.",
    )
    confirm = forms.BooleanField(required=False)


class FloorOverrideForm(forms.Form):
    submission = forms.UUIDField(widget=forms.HiddenInput)
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why this candidate may compete anyway",
        help_text="Recorded with your name in the audit trail.",
    )
