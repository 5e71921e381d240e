"""Brief and submission pages of a workspace host, in the "hiring" namespace; included at the
root of config.urls_tenant. The import pages have their own module (hiring.urls.imports)."""

from django.urls import path

from hiring.views import briefs, candidates, resume_prefill, submissions

app_name = "hiring"

urlpatterns = [
    path("briefs/", briefs.brief_list, name="brief_list"),
    path("briefs/new/", briefs.brief_new, name="brief_new"),
    path("briefs/readiness/", briefs.brief_readiness, name="brief_readiness"),
    path("briefs/<uuid:public_id>/", briefs.brief_detail, name="brief_detail"),
    path("briefs/<uuid:public_id>/edit/", briefs.brief_edit, name="brief_edit"),
    path("briefs/<uuid:public_id>/open/", briefs.brief_open_view, name="brief_open"),
    path("briefs/<uuid:public_id>/status/", briefs.brief_status, name="brief_status"),
    path("briefs/<uuid:public_id>/submit/", submissions.submission_new, name="submission_new"),
    path(
        "briefs/<uuid:public_id>/submit/resume/",
        resume_prefill.submission_from_resume,
        name="submission_from_resume",
    ),
    path("submissions/", submissions.submission_list, name="submission_list"),
    path("submissions/export.csv", submissions.submission_export, name="submission_export"),
    path("candidates/", candidates.candidate_list, name="candidate_list"),
    path(
        "submissions/<uuid:public_id>/",
        submissions.submission_detail,
        name="submission_detail",
    ),
    path("submissions/<uuid:public_id>/move/", submissions.submission_move, name="submission_move"),
    path(
        "submissions/<uuid:public_id>/withdraw/",
        submissions.submission_withdraw_view,
        name="submission_withdraw",
    ),
    path(
        "submissions/<uuid:public_id>/resume/",
        submissions.submission_resume,
        name="submission_resume",
    ),
]
