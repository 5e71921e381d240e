"""The vendor scorecard form (the rules live in scoring.services.vendor_reviews)."""

from typing import Any

from django import forms

from hiring.rubric import CATEGORY_NAMES
from scoring.models import EVIDENCE_FIELDS, SCORE_FIELDS, VendorReviewBasis

# What a high score means for an agency as a delivery partner, per category.
VENDOR_GUIDANCE = {
    "A": "Its candidates shipped AI features into production and can show results.",
    "B": "Its candidates handle messy data, leakage and reproducibility; its proof holds up.",
    "C": "Its candidates deploy, monitor and roll back; the agency delivers on time.",
    "D": "It respects privacy and consent, and its candidates think about security and risk.",
    "E": "It communicates clearly: accurate profiles, fast answers, honest about gaps.",
}


class VendorReviewForm(forms.Form):
    agency = forms.ChoiceField(label="Agency")
    basis = forms.ChoiceField(
        choices=VendorReviewBasis.choices,
        widget=forms.RadioSelect,
        initial=VendorReviewBasis.PERIOD,
        label="What you review",
    )
    brief = forms.ChoiceField(
        required=False,
        label="Filled brief",
        help_text="For a review of one filled brief: the brief the agency submitted to.",
    )
    period_start = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Period from"
    )
    period_end = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Period to"
    )
    summary = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Summary",
        help_text="What should the agency keep doing, and what should change? The agency "
        "reads this review.",
    )

    def __init__(
        self,
        *args: Any,
        agency_choices: list[tuple[str, str]],
        brief_choices: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "Choose an agency"), *agency_choices]  # type: ignore[attr-defined]
        self.fields["brief"].choices = [("", "No brief (periodic review)"), *brief_choices]  # type: ignore[attr-defined]
        for code, name in CATEGORY_NAMES.items():
            lower = code.lower()
            self.fields[f"score_{lower}"] = forms.TypedChoiceField(
                coerce=int,
                choices=[(str(n), str(n)) for n in range(6)],
                widget=forms.RadioSelect,
                label=f"{code}. {name}",
                help_text=VENDOR_GUIDANCE[code],
            )
            self.fields[f"evidence_{lower}"] = forms.CharField(
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
                label=f"Evidence for {code}",
                help_text="What the score rests on: briefs, candidates, events.",
            )

    def category_rows(self) -> list[tuple[str, Any, Any]]:
        return [
            (code, self[f"score_{code.lower()}"], self[f"evidence_{code.lower()}"])
            for code in CATEGORY_NAMES
        ]

    def service_data(self) -> dict[str, Any]:
        fields = (*SCORE_FIELDS, *EVIDENCE_FIELDS, "summary")
        return {field: self.cleaned_data.get(field) for field in fields}
