"""Forms of the interview kit pages (the rules live in scoring.services.kits)."""

from django import forms

from hiring.rubric import CATEGORY_NAMES
from scoring.kits import KINDS, QUESTION_MAX_CHARS, WHEN


class KitQuestionAddForm(forms.Form):
    category = forms.ChoiceField(
        choices=[(code, f"{code}. {name}") for code, name in CATEGORY_NAMES.items()],
        label="Category",
    )
    kind = forms.ChoiceField(
        choices=list(KINDS.items()),
        widget=forms.RadioSelect,
        initial="probe",
        label="Kind",
        help_text="A question the interviewer asks, or a red flag to watch for.",
    )
    when = forms.ChoiceField(choices=list(WHEN.items()), initial="always", label="Applies to")
    text = forms.CharField(
        max_length=QUESTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Wording",
        help_text="As the interviewer will read it on the scorecard.",
    )


class KitQuestionRewordForm(forms.Form):
    key = forms.CharField(max_length=40, widget=forms.HiddenInput)
    text = forms.CharField(
        max_length=QUESTION_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 2}), label="Wording"
    )


class KitQuestionRetireForm(forms.Form):
    key = forms.CharField(max_length=40, widget=forms.HiddenInput)
