"""Finding briefs, submissions and candidates: text search, sorting and filters of the lists.

Search always narrows a queryset that the selectors already limited to the viewer's reach
(`briefs_for`, `submissions_for`, `candidates_for`), so a search can only find what the viewer
may see; the fields searched are also limited to what the viewer may read (an interviewer who
is not shown contact details cannot find a submission by its e-mail address).

Text search is PostgreSQL's full-text search (`websearch_to_tsquery`, which takes any text:
quotes, `-`, `or`, stray operators are read as words, never as syntax errors) with the
`simple` configuration (names and technical words are not stemmed, any script works), OR a
case-insensitive substring match on the same fields, so that "pri" finds "Priya" as a person
typing a name expects. Input is cut to SEARCH_MAX_CHARS and folded onto one line; nothing a
person types reaches SQL except as a parameter. Sorting takes a column name from a fixed
table per list; an unknown column is ignored (the default order applies).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorExact
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import QueryDict

from hiring.models import Candidate, ConsentState, RoleBrief, Submission

SEARCH_MAX_CHARS = 200
SEARCH_CONFIG = "simple"


def search_text(raw: object) -> str:
    """What a person typed, made safe to search for: one line, no control characters, at
    most SEARCH_MAX_CHARS characters."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(raw or ""))
    return " ".join(text.split())[:SEARCH_MAX_CHARS]


def search[M: Model](queryset: QuerySet[M], fields: Sequence[str], raw: object) -> QuerySet[M]:
    """`queryset` narrowed to rows whose `fields` match the text (all rows when empty)."""
    text = search_text(raw)
    if not text:
        return queryset
    query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    matches = Q(SearchVectorExact(SearchVector(*fields, config=SEARCH_CONFIG), query))
    for field in fields:
        matches |= Q(**{f"{field}__icontains": text})
    return queryset.filter(matches)


BRIEF_SEARCH_FIELDS = ("title", "business_goal", "kpi_target", "location")


def briefs_search(briefs: QuerySet[RoleBrief], raw: object) -> QuerySet[RoleBrief]:
    return search(briefs, BRIEF_SEARCH_FIELDS, raw)


SUBMISSION_SEARCH_FIELDS = ("full_name", "brief__title", "location", "summary")
SUBMISSION_CONTACT_FIELDS = ("email", "phone")


def submissions_search(
    submissions: QuerySet[Submission],
    raw: object,
    *,
    contact_details: bool,
    agency_names: bool,
    contact_confirmed_only: bool = False,
) -> QuerySet[Submission]:
    """Search the viewer's submissions by what the viewer may read of them.

    `contact_confirmed_only` (the client's viewers): the contact details of a submission
    whose candidate has not confirmed are hidden from them, so they do not find it by them.
    """
    fields = list(SUBMISSION_SEARCH_FIELDS)
    if agency_names:
        fields.append("agency__name")
    if not contact_details:
        return search(submissions, fields, raw)
    if not contact_confirmed_only:
        return search(submissions, [*fields, *SUBMISSION_CONTACT_FIELDS], raw)
    if not search_text(raw):
        return submissions
    confirmed = submissions.filter(consent_state=ConsentState.CONFIRMED)
    by_contact = search(confirmed, [*fields, *SUBMISSION_CONTACT_FIELDS], raw)
    by_rest = search(submissions, fields, raw)
    return submissions.filter(Q(pk__in=by_rest.values("pk")) | Q(pk__in=by_contact.values("pk")))


def candidates_search(
    candidates: QuerySet[Candidate], submissions: QuerySet[Submission], raw: object
) -> QuerySet[Candidate]:
    """Candidates whose display name, or one of the versions in `submissions` (the viewer's
    reach), matches."""
    text = search_text(raw)
    if not text:
        return candidates
    matching = submissions_search(
        submissions, text, contact_details=True, agency_names=True, contact_confirmed_only=True
    ).filter(candidate_id=OuterRef("pk"))
    return candidates.filter(Q(full_name__icontains=text) | Exists(matching.values("pk")))


# --- sorting -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sorting:
    """The list's order: the column asked for (if known) and its direction."""

    column: str
    descending: bool
    order_by: tuple[str, ...]

    def param_for(self, column: str) -> str:
        """The `sort` value of a column's header link: ascending first, then flips."""
        if column == self.column and not self.descending:
            return f"-{column}"
        return column

    def aria_for(self, column: str) -> str:
        if column != self.column:
            return ""
        return "descending" if self.descending else "ascending"


def sorting(
    raw: object, columns: Mapping[str, tuple[str, ...]], *, default: tuple[str, ...]
) -> Sorting:
    """The order `?sort=` asks for: a column of `columns` (`-` before it: descending), with
    the row id last so that pages are stable. Anything else gives the default order."""
    text = str(raw or "")[:40]
    descending = text.startswith("-")
    column = text.removeprefix("-")
    fields = columns.get(column)
    if not fields:
        return Sorting(column="", descending=False, order_by=default)
    ordered = tuple(
        (f"-{f}" if not f.startswith("-") else f.removeprefix("-")) if descending else f
        for f in fields
    )
    return Sorting(column=column, descending=descending, order_by=(*ordered, "-id"))


@dataclass(frozen=True)
class SortHeader:
    """A sortable column header: its label, the query string of its link (the filters kept,
    the page reset) and its aria-sort value when the list is sorted by it."""

    label: str
    query: str
    aria: str


def sort_headers(
    request_get: QueryDict, sort: Sorting, labels: Mapping[str, str]
) -> dict[str, SortHeader]:
    headers = {}
    for column, label in labels.items():
        query = request_get.copy()
        query.pop("page", None)
        query["sort"] = sort.param_for(column)
        headers[column] = SortHeader(
            label=label, query=query.urlencode(), aria=sort.aria_for(column)
        )
    return headers
