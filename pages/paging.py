"""Paging of list pages: one page of rows and the query string its links keep."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

DEFAULT_PAGE_SIZE = 50


def page_of(request: HttpRequest, rows: Any, *, size: int | None = None) -> Page:
    """The page the `page` parameter asks for; the first or last one when it is out of range."""
    return Paginator(rows, size or DEFAULT_PAGE_SIZE).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The current filters as a query string, for the links to other pages."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
