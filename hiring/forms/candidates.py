"""The filters of the client's candidate list."""

from typing import Any, cast

from django import forms


class CandidateFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=1000)
    agency = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, agency_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["agency"]).choices = [
            ("", "All agencies"),
            *agency_choices,
        ]
