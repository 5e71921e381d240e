"""Hiring pages of a workspace host; included at the root of config.urls_tenant."""

from django.urls import path

from hiring import views

app_name = "hiring"

urlpatterns = [
    path("briefs/", views.brief_list, name="brief_list"),
    path("briefs/new/", views.brief_new, name="brief_new"),
    path("briefs/readiness/", views.brief_readiness, name="brief_readiness"),
    path("briefs/<uuid:public_id>/", views.brief_detail, name="brief_detail"),
    path("briefs/<uuid:public_id>/edit/", views.brief_edit, name="brief_edit"),
    path("briefs/<uuid:public_id>/open/", views.brief_open_view, name="brief_open"),
    path("briefs/<uuid:public_id>/status/", views.brief_status, name="brief_status"),
    path("briefs/<uuid:public_id>/submit/", views.submission_new, name="submission_new"),
    path("submissions/", views.submission_list, name="submission_list"),
    path("submissions/<uuid:public_id>/", views.submission_detail, name="submission_detail"),
    path("submissions/<uuid:public_id>/move/", views.submission_move, name="submission_move"),
    path(
        "submissions/<uuid:public_id>/withdraw/",
        views.submission_withdraw_view,
        name="submission_withdraw",
    ),
    path("submissions/<uuid:public_id>/resume/", views.submission_resume, name="submission_resume"),
]
