"""Filters of the export page: the export holds ISO 8601 strings (it is also the JSON file);
the page shows them as dates and minutes."""

import datetime as dt

from django import template

register = template.Library()


def _parse(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


@register.filter
def iso_day(value: object) -> str:
    parsed = _parse(value)
    return parsed.strftime("%Y-%m-%d") if parsed else "—"


@register.filter
def iso_minute(value: object) -> str:
    parsed = _parse(value)
    return parsed.strftime("%Y-%m-%d %H:%M") if parsed else "—"
