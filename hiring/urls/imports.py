"""URLs of the CSV import, in the "imports" namespace; included from config/urls_tenant.py at
"imports/"."""

from django.urls import path

from hiring.views import imports

app_name = "imports"

urlpatterns = [
    path("", imports.import_list, name="list"),
    path("new/", imports.import_new, name="new"),
    path("template.csv", imports.import_template, name="template"),
    path("<uuid:public_id>/", imports.import_detail, name="detail"),
    path("<uuid:public_id>/problems.csv", imports.import_problems_csv, name="problems"),
]
