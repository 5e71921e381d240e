"""Scoring pages of a workspace host; included at the root of config.urls_tenant."""

from django.urls import path

from scoring import views

app_name = "scoring"

urlpatterns = [
    path("scorecards/", views.scorecard_queue, name="queue"),
    path(
        "submissions/<uuid:public_id>/interviewers/",
        views.submission_interviewers,
        name="submission_interviewers",
    ),
    path("submissions/<uuid:public_id>/scorecard/", views.scorecard_form, name="scorecard_form"),
    path(
        "submissions/<uuid:public_id>/scorecards/",
        views.submission_scorecards,
        name="submission_scorecards",
    ),
    path("briefs/<uuid:public_id>/shortlist/", views.brief_shortlist, name="brief_shortlist"),
    path(
        "briefs/<uuid:public_id>/shortlist/decide/",
        views.shortlist_decide,
        name="shortlist_decide",
    ),
    path(
        "briefs/<uuid:public_id>/shortlist/floor-override/",
        views.shortlist_floor_override,
        name="shortlist_floor_override",
    ),
    path(
        "briefs/<uuid:public_id>/shortlist/recompute/",
        views.shortlist_recompute,
        name="shortlist_recompute",
    ),
    path("analytics/agencies/", views.agency_analytics, name="agency_analytics"),
    path(
        "analytics/agencies/refresh/",
        views.agency_analytics_refresh,
        name="agency_analytics_refresh",
    ),
]
