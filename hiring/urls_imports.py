"""URLs of the CSV import, included from config/urls_tenant.py at "imports/"."""

from django.urls import path

from hiring import views_imports

app_name = "imports"

urlpatterns = [
    path("", views_imports.import_list, name="list"),
    path("new/", views_imports.import_new, name="new"),
    path("template.csv", views_imports.import_template, name="template"),
    path("<uuid:public_id>/", views_imports.import_detail, name="detail"),
    path("<uuid:public_id>/problems.csv", views_imports.import_problems_csv, name="problems"),
]
