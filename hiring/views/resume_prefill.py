"""Starting a submission from a resume: the recruiter uploads the file, the next page shows
the submission form prefilled with what was read (hiring.resume_reading) to check and
complete, with a warning when the person is already known here (hiring.duplicates).

Plain form posts, no JavaScript: the upload is a form of its own on the submission page; the
prefilled form carries the staged resume by a signed token (hiring.resumes), so the file is
attached to the submission without a second upload.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hiring.duplicates import submission_duplicate_warning
from hiring.forms.submissions import ResumeUploadForm, SubmissionForm
from hiring.models import RoleBrief, Track
from hiring.resume_reading import resume_read
from hiring.resumes import resume_stage, resume_validate
from hiring.selectors import access_brief_by_id
from hiring.services.submissions import PROOF_REQUIRED
from pages.access import Caller, workspace_page
from tenants.roles import ANY_AGENCY_ROLE

FIELD_LABELS = {
    "full_name": "name",
    "email": "e-mail",
    "phone": "phone",
    "links": "links",
    "skills": "skills",
}


def submission_form_extras(
    form: SubmissionForm, *, brief: RoleBrief, caller: Caller, upload_form: Any = None
) -> dict[str, Any]:
    """What the submission page shows around the form: the resume upload and, once an
    e-mail or phone is typed or read, the duplicate warning."""
    data = form.data if form.is_bound else form.initial
    warning = ""
    email, phone = str(data.get("email") or ""), str(data.get("phone") or "")
    if (email or phone) and caller.agency is not None:
        warning = submission_duplicate_warning(
            brief=brief, agency_id=caller.agency.pk, email=email, phone=phone
        )
    return {
        "upload_form": upload_form or ResumeUploadForm(),
        "duplicate_warning": warning,
        "resume_staged": bool(data.get("staged_resume")),
    }


@workspace_page(roles=ANY_AGENCY_ROLE, methods=("GET", "POST"))
def submission_from_resume(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    """POST: read the uploaded resume and show the prefilled form (nothing is submitted).
    GET: back to the empty form."""
    brief = access_brief_by_id(caller.access, public_id)
    if request.method == "GET" or not caller.may_submit:
        return redirect("hiring:submission_new", public_id=brief.public_id)
    required_proof = PROOF_REQUIRED[Track(brief.track)]
    engagement = caller.engagement
    context: dict[str, Any] = {
        "brief": brief,
        "engagement_active": True,
        "engagement_window_days": engagement.ownership_window_days if engagement else None,
    }
    upload_form = ResumeUploadForm(request.POST, request.FILES)
    initial: dict[str, Any] = {"rate_currency": brief.rate_currency}
    status = 200
    if upload_form.is_valid():
        upload = upload_form.cleaned_data["resume_file"]
        try:
            data, content_type = resume_validate(upload=upload, size=upload.size)
        except ValidationError as error:
            upload_form.add_error("resume_file", error.message_dict["resume"])
            status = 400
        else:
            reading = resume_read(data=data, content_type=content_type)
            initial.update(reading.initial())
            initial["staged_resume"] = resume_stage(
                data=data, content_type=content_type, user_id=caller.user.pk
            )
            context["reading"] = reading
            context["read_fields"] = [FIELD_LABELS[name] for name in reading.found]
            upload_form = ResumeUploadForm()
    else:
        status = 400
    form = SubmissionForm(initial=initial, required_proof=required_proof)
    form.fields["rate_amount"].label = f"Candidate's rate, {brief.get_rate_unit_display()}"
    context["form"] = form
    context.update(
        submission_form_extras(form, brief=brief, caller=caller, upload_form=upload_form)
    )
    return render(request, "hiring/submission_form.html", context, status=status)
