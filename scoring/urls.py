"""Scoring pages of a workspace host; included at the root of config.urls_tenant."""

from django.urls import path

from scoring.views import (
    analytics,
    compare,
    interviewers,
    kits,
    queue,
    scorecards,
    shortlist,
    vendor_reviews,
)

app_name = "scoring"

urlpatterns = [
    path("scorecards/", queue.scorecard_queue, name="queue"),
    path(
        "submissions/<uuid:public_id>/interviewers/",
        interviewers.submission_interviewers,
        name="submission_interviewers",
    ),
    path(
        "submissions/<uuid:public_id>/scorecard/", scorecards.scorecard_form, name="scorecard_form"
    ),
    path(
        "submissions/<uuid:public_id>/scorecards/",
        scorecards.submission_scorecards,
        name="submission_scorecards",
    ),
    path("briefs/<uuid:public_id>/shortlist/", shortlist.brief_shortlist, name="brief_shortlist"),
    path(
        "briefs/<uuid:public_id>/shortlist/compare/",
        compare.shortlist_compare,
        name="shortlist_compare",
    ),
    path(
        "briefs/<uuid:public_id>/shortlist/export.csv",
        compare.shortlist_export,
        name="shortlist_export",
    ),
    path(
        "briefs/<uuid:public_id>/shortlist/history/",
        compare.shortlist_history,
        name="shortlist_history",
    ),
    path(
        "submissions/<uuid:public_id>/interviewers/change/",
        interviewers.assignment_change,
        name="assignment_change",
    ),
    path(
        "briefs/<uuid:public_id>/shortlist/decide/",
        shortlist.shortlist_decide,
        name="shortlist_decide",
    ),
    path(
        "briefs/<uuid:public_id>/shortlist/floor-override/",
        shortlist.shortlist_floor_override,
        name="shortlist_floor_override",
    ),
    path(
        "briefs/<uuid:public_id>/shortlist/recompute/",
        shortlist.shortlist_recompute,
        name="shortlist_recompute",
    ),
    path("analytics/agencies/", analytics.agency_analytics, name="agency_analytics"),
    path(
        "analytics/agencies/refresh/",
        analytics.agency_analytics_refresh,
        name="agency_analytics_refresh",
    ),
    path("settings/interview-kits/", kits.kit_list, name="kit_list"),
    path("settings/interview-kits/<slug:track>/", kits.kit_edit, name="kit_edit"),
    path(
        "settings/interview-kits/<slug:track>/versions/<int:version>/",
        kits.kit_version_detail,
        name="kit_version",
    ),
    path("vendor-reviews/", vendor_reviews.vendor_review_list, name="vendor_review_list"),
    path("vendor-reviews/new/", vendor_reviews.vendor_review_new, name="vendor_review_new"),
    path(
        "vendor-reviews/<uuid:public_id>/",
        vendor_reviews.vendor_review_detail,
        name="vendor_review_detail",
    ),
]
