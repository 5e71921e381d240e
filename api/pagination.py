"""Keyset ("cursor") pagination for incremental sync.

Every list is ordered by a view's `sync_ordering`, ascending: (updated_at, public_id) for
most resources, so a row that changes moves to the end of the list and a client that keeps
its last cursor sees it again. The cursor is an opaque token holding the position of the last
row returned (the ordering values of that row, never an internal id); the next page is "rows
after that position", so rows inserted or updated meanwhile never shift a page, never make a
row appear twice in one walk and are never skipped: they come at the end.

Cursors are signed (django.core.signing, SECRET_KEY) with a salt naming the workspace, the API
key, the list's path and ordering and its filters: a forged or altered cursor, or one issued
to another key, workspace, list or filter, is refused with 400. They do not expire: a client
may keep one for months (a new key starts its sync again with `updated_after`).

`page_size` defaults to settings.API_PAGE_SIZE; above settings.API_MAX_PAGE_SIZE the request
is refused with 400 (rather than silently capped), so a client never believes it asked for
and received everything. `updated_after` (ISO 8601 with a time zone) keeps rows whose sync
field is strictly after the instant.
"""

import datetime as dt
import uuid
from typing import Any

import orjson
from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Q
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

DEFAULT_SYNC_ORDERING = ("updated_at", "public_id")
CURSOR_SALT = "api.pagination.cursor:"
SYNC_FIELD_LABELS = {
    "updated_at": "last change",
    "created_at": "creation",
    "computed_at": "computation",
}


def parse_instant(raw: str, *, param: str) -> dt.datetime:
    """An ISO 8601 instant with a time zone. A "+" sent unencoded in a URL arrives as a
    space; it is read back as "+"."""
    value = (raw or "").strip()
    parsed = None
    for candidate in (value, value.replace(" ", "+")):
        try:
            parsed = parse_datetime(candidate)
        except ValueError:
            parsed = None
        if parsed is not None:
            break
    if parsed is None:
        raise ValidationError(
            {param: ["Use an ISO 8601 date and time with a time zone, e.g. 2026-01-31T09:00:00Z."]}
        )
    if parsed.tzinfo is None:
        raise ValidationError(
            {param: ["Include a time zone, e.g. 2026-01-31T09:00:00Z or +02:00."]}
        )
    try:
        # In UTC: the database refuses some offsets Python accepts (beyond +/-15:59).
        return parsed.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise ValidationError({param: ["This instant is out of range."]}) from None


def keyset_after(fields: tuple[str, ...], values: list[Any]) -> Q:
    """Rows strictly after `values` in the ascending order of `fields`.

    The leading `first >= value` repeats what the OR already implies, so that PostgreSQL can
    start an index range scan at the cursor instead of reading the list from its start and
    filtering: the cost of a page then stays flat however deep the walk is."""
    condition = Q()
    for index in reversed(range(len(fields))):
        equal = Q(**{fields[i]: values[i] for i in range(index)})
        condition = (equal & Q(**{f"{fields[index]}__gt": values[index]})) | condition
    return Q(**{f"{fields[0]}__gte": values[0]}) & condition


def _position(row: Any, name: str) -> Any:
    """A row's value of an ordering field: rows are model instances or, on a fast path,
    plain `values()` dicts."""
    return row[name] if isinstance(row, dict) else getattr(row, name)


class _CursorSerializer:
    """JSON through orjson for django.core.signing (compact, and strict on the way back)."""

    def dumps(self, obj: Any) -> bytes:
        return orjson.dumps(obj)

    def loads(self, data: bytes) -> Any:
        return orjson.loads(data)


class SyncCursorPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    updated_after_query_param = "updated_after"
    # Query parameters a cursor is not bound to (every other one is: see _binding).
    unbound_query_params = frozenset({"cursor", "page_size", "updated_after"})

    def _ordering(self, view: Any) -> tuple[str, ...]:
        return tuple(getattr(view, "sync_ordering", DEFAULT_SYNC_ORDERING))

    def _page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return int(settings.API_PAGE_SIZE)
        maximum = int(settings.API_MAX_PAGE_SIZE)
        try:
            size = int(raw)
        except (TypeError, ValueError):
            size = 0
        if size < 1:
            raise ValidationError({"page_size": [f"Use a whole number from 1 to {maximum}."]})
        if size > maximum:
            raise ValidationError(
                {"page_size": [f"page_size can be at most {maximum}; follow `next` for more."]}
            )
        return size

    # -- cursor tokens ---------------------------------------------------------------------

    def _binding(self, request: Request, ordering: tuple[str, ...]) -> str:
        """What a cursor is valid for, as the salt of its signature: the workspace, the key,
        the list's path and ordering, and its filters. A cursor of another workspace, key,
        list or filter fails the signature check. page_size and updated_after may change
        between pages: neither changes what a position means."""
        tenant = getattr(request._request, "tenant", None)
        filters = sorted(
            (name, sorted(values))
            for name, values in request.query_params.lists()
            if name not in self.unbound_query_params
        )
        return (
            CURSOR_SALT
            + orjson.dumps(
                {
                    "schema": getattr(tenant, "schema_name", ""),
                    "key": getattr(request.auth, "pk", None),
                    "path": request.path,
                    "ordering": list(ordering),
                    "filters": filters,
                }
            ).decode()
        )

    def _encode(self, binding: str, values: list[Any]) -> str:
        parts = [v.isoformat() if isinstance(v, dt.datetime) else str(v) for v in values]
        return signing.dumps(parts, salt=binding, serializer=_CursorSerializer)

    def _decode(
        self, token: str, binding: str, model: type[models.Model], ordering: tuple[str, ...]
    ) -> list[Any]:
        invalid = ValidationError(
            {
                self.cursor_query_param: [
                    "This cursor is not valid for this list; use a `next` link or "
                    "`next_cursor` this list returned for this key and these filters."
                ]
            }
        )
        try:
            parts = signing.loads(token, salt=binding, serializer=_CursorSerializer)
            if not isinstance(parts, list) or len(parts) != len(ordering):
                raise invalid
            values: list[Any] = []
            for name, part in zip(ordering, parts, strict=True):
                field = model._meta.get_field(name)
                if not isinstance(part, str):
                    raise invalid
                if isinstance(field, models.DateTimeField):
                    instant = dt.datetime.fromisoformat(part)
                    if instant.tzinfo is None:
                        raise invalid
                    values.append(instant.astimezone(dt.UTC))
                elif isinstance(field, models.UUIDField):
                    values.append(uuid.UUID(part))
                else:
                    values.append(int(part))
            return values
        except (signing.BadSignature, ValueError, TypeError, OverflowError, orjson.JSONDecodeError):
            raise invalid from None

    # -- DRF pagination interface ------------------------------------------------------------

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        self.request = request
        ordering = self._ordering(view)
        binding = self._binding(request, ordering)
        self.page_size = self._page_size(request)
        raw_after = request.query_params.get(self.updated_after_query_param)
        if raw_after not in (None, ""):
            after = parse_instant(raw_after, param=self.updated_after_query_param)
            queryset = queryset.filter(**{f"{ordering[0]}__gt": after})
        token = request.query_params.get(self.cursor_query_param) or ""
        self.given_cursor = token or None
        if token:
            values = self._decode(token, binding, queryset.model, ordering)
            queryset = queryset.filter(keyset_after(ordering, values))
        rows = list(queryset.order_by(*ordering)[: self.page_size + 1])
        self.has_more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        self.next_cursor = (
            self._encode(binding, [_position(rows[-1], name) for name in ordering])
            if rows
            else self.given_cursor
        )
        return rows

    def get_next_link(self) -> str | None:
        if not self.has_more or self.next_cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.next_cursor)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "results": data,
                "has_more": self.has_more,
                "next_cursor": self.next_cursor,
                "next": self.get_next_link(),
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results", "has_more", "next_cursor", "next"],
            "properties": {
                "results": schema,
                "has_more": {
                    "type": "boolean",
                    "description": "True when more rows follow now: fetch `next`.",
                    "example": False,
                },
                "next_cursor": {
                    "type": "string",
                    "nullable": True,
                    "description": "Position after the last row returned. Keep it: passing it "
                    "as `cursor` later returns only what was added or changed since.",
                    "example": "eyJ1IjoiMjAyNi0xMi0wN1QwOTozMDowMFoifQ.Zk3x",
                },
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page, or null when there is nothing more now.",
                    "example": None,
                },
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        sync_field = self._ordering(view)[0]
        label = SYNC_FIELD_LABELS.get(sync_field, sync_field)
        maximum = int(settings.API_MAX_PAGE_SIZE)
        return [
            {
                "name": self.cursor_query_param,
                "in": "query",
                "required": False,
                "description": "Opaque position returned as `next_cursor` by a previous page.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"Rows per page, 1 to {maximum} (default "
                f"{settings.API_PAGE_SIZE}). Larger values are refused with 400.",
                "schema": {"type": "integer", "minimum": 1, "maximum": maximum},
            },
            {
                "name": self.updated_after_query_param,
                "in": "query",
                "required": False,
                "description": f"Only rows whose {label} ({sync_field}) is strictly after this "
                "instant (ISO 8601 with a time zone).",
                "schema": {"type": "string", "format": "date-time"},
            },
        ]
