"""Pages of the CSV import on a workspace host: upload, follow progress, read the problems.

Agency people (recruiters, agency admins) upload for their own agency; client admins and
hiring managers upload on behalf of an engaged agency they choose. An import is readable by
its uploader only: anyone else gets the same 404 as a page that does not exist.
"""

import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hiring.forms.imports import ImportUploadForm
from hiring.models import BriefStatus, ImportStatus, RoleBrief
from hiring.selectors import access_import_by_id, briefs_for, imports_for_uploader
from hiring.services.import_files import COLUMNS, megabytes
from hiring.services.import_rows import MAX_STORED_ERRORS
from hiring.services.imports import import_job_create
from pages.access import Caller, workspace_page
from pages.downloads import csv_download
from pages.forms import form_action
from tenants.models import Agency, Engagement, EngagementStatus
from tenants.roles import ANY_AGENCY_ROLE, MANAGE_HIRING

IMPORTERS = MANAGE_HIRING | ANY_AGENCY_ROLE
ERRORS_SHOWN_ON_PAGE = 200
RECENT_IMPORTS_LISTED = 100

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
    (
        "proof_domain, proof_input_validation",
        "Required for Python developer briefs",
        "The domain the shipped system served; how bad inputs were caught and the fallback.",
    ),
    (
        "proof_alert_thresholds, proof_rollback",
        "Required for AI/ML engineer briefs",
        "Alert levels as numbers; how versions were kept and a release rolled back.",
    ),
    (
        "proof_metric, proof_metric_unit, proof_baseline_value, proof_result_value",
        "Optional",
        "The measured result as numbers (e.g. misrouted claims, %, 18, 6). Without them the "
        "baseline and improvement must state their numbers with units.",
    ),
    (
        "proof_monitoring_signals",
        "Optional",
        "What was watched in production: quality, latency, cost, drift (separated by commas).",
    ),
    ("proof_iteration", "Optional", "What changed after launch."),
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
    "proof_domain": "Insurance claims",
    "proof_metric": "Misrouted claims",
    "proof_metric_unit": "%",
    "proof_baseline_value": "18",
    "proof_result_value": "6",
    "proof_monitoring_signals": "quality, latency, cost",
    "proof_alert_thresholds": "Alert when weekly precision falls below 0.85.",
    "proof_rollback": "Models versioned in MLflow; rollback to the previous version in minutes.",
    "proof_input_validation": "Forms validated against a schema; unreadable claims go to a person.",
    "proof_iteration": "Added a second language after launch; misrouting fell another 2 points.",
    "proof_links": "https://example.com/ada/claims-talk",
    "right_to_represent": "yes",
    "rate_amount": "95",
    "rate_currency": "USD",
}


def _open_briefs(caller: Caller) -> list[RoleBrief]:
    return list(briefs_for(caller.access).filter(status=BriefStatus.OPEN).order_by("title", "id"))


def _engaged_agencies(caller: Caller) -> list[Agency]:
    engagements = (
        Engagement.objects.filter(
            client=caller.client, status=EngagementStatus.ACTIVE, agency__is_active=True
        )
        .select_related("agency")
        .order_by("agency__name")
    )
    return [engagement.agency for engagement in engagements]


@workspace_page(roles=IMPORTERS)
def import_list(request: HttpRequest, caller: Caller) -> HttpResponse:
    jobs = imports_for_uploader(user_id=caller.user.pk).select_related("agency")
    return render(request, "hiring/imports/list.html", {"jobs": jobs[:RECENT_IMPORTS_LISTED]})


@workspace_page(roles=IMPORTERS, methods=("GET", "POST"))
def import_new(request: HttpRequest, caller: Caller) -> HttpResponse:
    briefs = _open_briefs(caller)
    agencies = None if caller.is_agency else _engaged_agencies(caller)
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
            caller.agency if caller.is_agency else form.agency_by_id[form.cleaned_data["agency"]]
        )
        assert agency is not None
        done = form_action(
            form,
            lambda: import_job_create(
                actor=caller.actor, agency=agency, upload=form.cleaned_data["file"], brief=brief
            ),
        )
        if done.ok and done.value is not None:
            return redirect("imports:detail", public_id=done.value.public_id)
    return render(
        request,
        "hiring/imports/new.html",
        {
            "form": form,
            "column_help": COLUMN_HELP,
            "has_briefs": bool(briefs),
            "engagement_paused": caller.is_agency and not caller.may_submit,
            "max_rows": settings.IMPORT_MAX_ROWS,
            "max_size": megabytes(settings.IMPORT_MAX_BYTES),
        },
        status=400 if posted else 200,
    )


@workspace_page(roles=IMPORTERS)
def import_detail(request: HttpRequest, caller: Caller, public_id: uuid.UUID) -> HttpResponse:
    job = access_import_by_id(user_id=caller.user.pk, public_id=public_id)
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


@workspace_page(roles=IMPORTERS)
def import_problems_csv(request: HttpRequest, caller: Caller, public_id: uuid.UUID) -> HttpResponse:
    job = access_import_by_id(user_id=caller.user.pk, public_id=public_id)
    rows = [["row", "column", "problem"]]
    rows += [[str(e["row"]), e["field"], e["message"]] for e in job.errors]
    return csv_download(rows, f"import-{job.public_id}-problems.csv")


@workspace_page(roles=IMPORTERS)
def import_template(request: HttpRequest, caller: Caller) -> HttpResponse:
    """The header row and one made-up example. When the person can see an open brief, the
    example uses its id so the file imports as it is once the example is replaced."""
    briefs = _open_briefs(caller)
    example = {**TEMPLATE_EXAMPLE, "brief_id": str(briefs[0].public_id) if briefs else ""}
    return csv_download(
        [list(COLUMNS), [example.get(column, "") for column in COLUMNS]],
        "candidates-import-template.csv",
    )
