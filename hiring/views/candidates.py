"""The client's candidates: one row per person, with each agency's version of them.

A person known to the client appears once, under the name the client's lists use; beside it,
every submission of the person (which agency, which brief, what stage), each linking to that
agency's version. Searched over the name and every version's details, filtered by agency,
sorted by a column (an unknown one is ignored).
"""

from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hiring.forms.candidates import CandidateFilterForm
from hiring.search import candidates_search, search_text, sort_headers, sorting
from hiring.selectors import candidates_for, submissions_for
from pages.access import Caller, workspace_page
from pages.paging import page_of, query_without_page
from tenants.roles import SEE_EVERY_CANDIDATE
from tenants.selectors import client_engagements

CANDIDATE_SORT_COLUMNS = {
    "name": ("full_name",),
    "versions": ("version_count", "full_name"),
    "latest": ("updated_at",),
}
CANDIDATE_COLUMN_LABELS = {"name": "Candidate", "versions": "Submissions", "latest": "Last change"}


@workspace_page(roles=SEE_EVERY_CANDIDATE)
def candidate_list(request: HttpRequest, caller: Caller) -> HttpResponse:
    access = caller.access
    reachable = submissions_for(access)
    form = CandidateFilterForm(
        request.GET,
        agency_choices=[
            (str(e.agency.public_id), e.agency.name)
            for e in client_engagements(client=caller.client)
        ],
    )
    candidates = candidates_for(access)
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        candidates = candidates_search(candidates, reachable, query)
        if form.cleaned_data.get("agency"):
            candidates = candidates.filter(
                submissions__agency__public_id=form.cleaned_data["agency"]
            ).distinct()
    sort = sorting(request.GET.get("sort"), CANDIDATE_SORT_COLUMNS, default=("-updated_at", "-id"))
    candidates = (
        candidates.annotate(version_count=Count("submissions", distinct=True))
        .order_by(*sort.order_by)
        .prefetch_related(
            Prefetch(
                "submissions",
                queryset=reachable.order_by("created_at", "id"),
                to_attr="versions",
            )
        )
    )
    return render(
        request,
        "hiring/candidate_list.html",
        {
            "access": access,
            "page": page_of(request, candidates),
            "filter_form": form,
            "filtered": any(request.GET.get(name) for name in ("q", "agency")),
            "search_text": search_text(query),
            "sort": sort,
            "headers": sort_headers(request.GET, sort, CANDIDATE_COLUMN_LABELS),
            "page_query": query_without_page(request),
        },
    )
