"""The upload form of the CSV import."""

from typing import Any

from django import forms

from hiring.models import RoleBrief
from tenants.models import Agency


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        help_text="UTF-8 CSV with a header row. Start from the template to get the columns right.",
    )
    brief = forms.ChoiceField(
        required=False,
        label="Brief",
        help_text="Used for rows that leave brief_id empty.",
    )
    agency = forms.ChoiceField(
        label="On behalf of",
        help_text="The engaged agency that presents these candidates and will own them.",
    )

    def __init__(
        self, *args: Any, briefs: list[RoleBrief], agencies: list[Agency] | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.brief_by_id = {str(brief.public_id): brief for brief in briefs}
        self.fields["brief"].choices = [  # type: ignore[attr-defined]
            ("", "Named in the file (brief_id column)"),
            *((key, brief.title) for key, brief in self.brief_by_id.items()),
        ]
        self.agency_by_id: dict[str, Agency] = {}
        if agencies is None:
            del self.fields["agency"]
        else:
            self.agency_by_id = {str(agency.public_id): agency for agency in agencies}
            self.fields["agency"].choices = [  # type: ignore[attr-defined]
                ("", "Choose an agency"),
                *((key, agency.name) for key, agency in self.agency_by_id.items()),
            ]
