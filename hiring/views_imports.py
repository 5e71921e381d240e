"""Pages of the CSV import on a workspace host: upload, follow progress, read the problems.

Agency people (recruiters, agency admins) upload for their own agency; client admins and
hiring managers upload on behalf of an engaged agency they choose. An import is readable by
its uploader only: anyone else gets the same 404 as a page that does not exist.
"""

import csv
import io
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from audit.actors import Actor
from hiring.models import BriefStatus, ImportJob, ImportStatus, RoleBrief
from hiring.selectors import briefs_for, imports_for_uploader
from hiring.services.imports import COLUMNS, MAX_STORED_ERRORS, import_job_create, megabytes
from tenants.models import Agency, Engagement, EngagementStatus
from tenants.roles import MANAGE_HIRING
from tenants.selectors import WorkspaceAccess

ERRORS_SHOWN_ON_PAGE = 200
RECENT_IMPORTS_LISTED = 100
# Excel reads a CSV as UTF-8 only when it starts with a byte-order mark; the import accepts it.
UTF8_BOM = "\ufeff"

COLUMN_HELP: list[tuple[str, str, str]] = [
    (
        "brief_id",
        "Required unless you choose a brief in the form above",
        "The id of an open brief, as shown in its address. Rows that leave it empty use the "
        "brief chosen on this page.",
    ),
    ("full_name", "Required", "The candidate's name."),
    ("email", "Email or phone required", "Used to recognise the person across agencies."),
    ("phone", "Email or phone required", "With the country code, e.g. +44 20 7946 0000."),
    ("location", "Optional", "City and country."),
    ("availability", "Optional", "For example: two weeks' notice."),
    ("skills", "Optional", "Separated by commas or semicolons."),
    ("links", "Optional", "Profile or portfolio addresses (http or https), up to 10."),
    ("summary", "Optional", "A short profile."),
    (
        "proof_shipped_solution",
        "Required",
        "An AI solution the candidate shipped to production, in at least a sentence.",
    ),
    (
        "proof_baseline, proof_improvement, proof_monitoring, proof_quality_dip",
        "Required for AI tracks",
        "Performance before and after, what was monitored, and how a quality dip was handled.",
    ),
    ("proof_links", "Optional", "Addresses that back up the proof."),
    (
        "right_to_represent",
        "Required",
        "yes, true or 1 when the candidate agreed to be represented by the agency for this "
        "role. Any other value refuses the row.",
    ),
    ("rate_amount, rate_currency", "Optional", "For example 95 and USD."),
]

TEMPLATE_EXAMPLE = {
    "full_name": "Ada Example",
    "email": "ada.example@example.com",
    "phone": "+44 20 7946 0000",
    "location": "Manchester, UK",
    "availability": "Four weeks' notice",
    "skills": "python; pytorch; mlflow; kubernetes",
    "links": "https://example.com/ada",
    "summary": "Seven years building ML services; owns models after launch.",
    "proof_shipped_solution": (
        "Built and shipped a claims triage model used by 120 adjusters every day."
    ),
    "proof_baseline": "Manual triage took 2 days per claim with 18% misrouted.",
    "proof_improvement": "Median routing time fell to 4 hours; misrouting dropped to 6%.",
    "proof_monitoring": "Weekly drift report on input features and precision by claim type.",
    "proof_quality_dip": (
        "Precision fell after a form change; rolled back, retrained on new data in a week."
    ),
    "proof_links": "https://example.com/ada/claims-talk",
    "right_to_represent": "yes",
    "rate_amount": "95",
    "rate_currency": "USD",
}


def _importer_access(request: HttpRequest) -> WorkspaceAccess:
    """Agency people and client admins / hiring managers may import; others get a 404."""
    access: WorkspaceAccess | None = getattr(request, "workspace_access", None)
    if access is None or not (access.is_agency or access.has_client_role(*MANAGE_HIRING)):
        raise Http404("No such page.")
    return access


def _actor(request: HttpRequest, access: WorkspaceAccess) -> Actor:
    return Actor.for_user(request.user, agency_id=access.agency.pk if access.agency else None)


def _user_id(request: HttpRequest) -> int:
    user_id = request.user.pk
    assert user_id is not None  # login_required
    return int(user_id)


def _own_import(request: HttpRequest, public_id: uuid.UUID) -> ImportJob:
    job = (
        imports_for_uploader(user_id=_user_id(request))
        .select_related("agency")
        .filter(public_id=public_id)
        .first()
    )
    if job is None:
        raise Http404("No such page.")
    return job


def _open_briefs(access: WorkspaceAccess) -> list[RoleBrief]:
    return list(briefs_for(access).filter(status=BriefStatus.OPEN).order_by("title", "id"))


def _engaged_agencies(request: HttpRequest) -> list[Agency]:
    engagements = (
        Engagement.objects.filter(
            client=request.tenant,  # type: ignore[attr-defined]
            status=EngagementStatus.ACTIVE,
            agency__is_active=True,
        )
        .select_related("agency")
        .order_by("agency__name")
    )
    return [engagement.agency for engagement in engagements]


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

    def show_service_errors(self, error: ValidationError) -> None:
        for name, messages in error.message_dict.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


@login_required
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    _importer_access(request)
    jobs = imports_for_uploader(user_id=_user_id(request)).select_related("agency")
    return render(request, "hiring/imports/list.html", {"jobs": jobs[:RECENT_IMPORTS_LISTED]})


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    access = _importer_access(request)
    briefs = _open_briefs(access)
    agencies = None if access.is_agency else _engaged_agencies(request)
    posted = request.method == "POST"
    form = ImportUploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        briefs=briefs,
        agencies=agencies,
    )
    if posted and form.is_valid():
        brief = form.brief_by_id.get(form.cleaned_data["brief"])
        agency = (
            access.agency if access.is_agency else form.agency_by_id[form.cleaned_data["agency"]]
        )
        assert agency is not None
        try:
            job = import_job_create(
                actor=_actor(request, access),
                agency=agency,
                upload=form.cleaned_data["file"],
                brief=brief,
            )
        except ValidationError as error:
            form.show_service_errors(error)
        else:
            return redirect("imports:detail", public_id=job.public_id)
    engagement_paused = bool(
        access.is_agency and access.engagement and not access.engagement.is_active
    )
    return render(
        request,
        "hiring/imports/new.html",
        {
            "form": form,
            "column_help": COLUMN_HELP,
            "has_briefs": bool(briefs),
            "engagement_paused": engagement_paused,
            "max_rows": settings.IMPORT_MAX_ROWS,
            "max_size": megabytes(settings.IMPORT_MAX_BYTES),
        },
        status=400 if posted else 200,
    )


@login_required
@require_GET
def import_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _importer_access(request)
    job = _own_import(request, public_id)
    processed = job.done_rows + job.failed_rows + job.skipped_rows
    context = {
        "job": job,
        "in_progress": job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        "processed": processed,
        "percent": round(100 * processed / job.total_rows) if job.total_rows else 0,
        "errors": job.errors[:ERRORS_SHOWN_ON_PAGE],
        "errors_cut_on_page": len(job.errors) > ERRORS_SHOWN_ON_PAGE,
        "errors_cut_on_job": len(job.errors) >= MAX_STORED_ERRORS,
        "max_stored_errors": MAX_STORED_ERRORS,
    }
    # htmx polls the status block every 2 s while the job runs; it gets the block alone.
    template = "hiring/imports/_status.html" if getattr(request, "htmx", False) else None
    return render(request, template or "hiring/imports/detail.html", context)


def _csv_download(rows: list[list[str]], filename: str) -> HttpResponse:
    output = io.StringIO()
    output.write(UTF8_BOM)
    csv.writer(output).writerows(rows)
    response = HttpResponse(output.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def import_problems_csv(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _importer_access(request)
    job = _own_import(request, public_id)
    rows = [["row", "column", "problem"]]
    rows += [[str(e["row"]), e["field"], e["message"]] for e in job.errors]
    return _csv_download(rows, f"import-{job.public_id}-problems.csv")


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    """The header row and one made-up example. When the person can see an open brief, the
    example uses its id so the file imports as it is once the example is replaced."""
    access = _importer_access(request)
    briefs = _open_briefs(access)
    example = {**TEMPLATE_EXAMPLE, "brief_id": str(briefs[0].public_id) if briefs else ""}
    return _csv_download(
        [list(COLUMNS), [example.get(column, "") for column in COLUMNS]],
        "candidates-import-template.csv",
    )
