"""Paging of list pages: one page of rows and the query string its links keep."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest

DEFAULT_PAGE_SIZE = 50


def first_rows_narrow_first[M: Model](rows: QuerySet[M], count: int) -> QuerySet[M]:
    """The first `count` rows of a sorted queryset of joined rows, chosen in a subquery
    that sorts narrow rows (see NarrowFirstPaginator): one statement, the joins done for
    `count` rows only."""
    chosen = rows.values("pk")[:count]
    first = rows.model._base_manager.filter(pk__in=chosen)
    first.query.select_related = rows.query.select_related
    return first.order_by(*rows.query.order_by)


class NarrowFirstPaginator(Paginator):
    """Pages of a queryset that joins wide rows (select_related) and is sorted by a column
    without an index: the page's ids are chosen in a subquery that sorts narrow rows, and
    only those rows are joined and loaded, in one statement. Without it PostgreSQL joins
    every matching row with its brief, candidate and agency before sorting and keeping 50
    (docs/performance.md, "Pages")."""

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows: QuerySet[Any] = self.object_list  # type: ignore[assignment]
        chosen = rows.values("pk")[bottom:top]
        page_rows = rows.model._base_manager.filter(pk__in=chosen)
        page_rows.query.select_related = rows.query.select_related
        page_rows = page_rows.order_by(*rows.query.order_by)
        return self._get_page(list(page_rows), number, self)  # type: ignore[attr-defined]


def page_of(
    request: HttpRequest, rows: Any, *, size: int | None = None, narrow_first: bool = False
) -> Page:
    """The page the `page` parameter asks for; the first or last one when it is out of range.
    `narrow_first` for a sorted queryset of joined rows (NarrowFirstPaginator)."""
    paginator = NarrowFirstPaginator if narrow_first else Paginator
    return paginator(rows, size or DEFAULT_PAGE_SIZE).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The current filters as a query string, for the links to other pages."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
