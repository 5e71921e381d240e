"""Time in a client's workspace: its zone, quiet hours, business days and weeks.

Pure functions of their arguments (no database, no clock), so the reminder rules' arithmetic
is tested on its own."""

import datetime as dt
import logging
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

logger = logging.getLogger(__name__)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def zone_for(name: str) -> ZoneInfo:
    """The client's time zone; UTC if the stored name is not a known IANA zone."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@cache
def known_time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_quiet_hour(hour: int, *, start: int, end: int) -> bool:
    """Quiet hours run from `start` (inclusive) to `end` (exclusive), possibly across
    midnight (20 -> 7). Equal start and end mean no quiet hours."""
    if start == end:
        return False
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end


def _business_start(moment: dt.datetime) -> dt.datetime:
    """A moment at the weekend counts from the start of the next Monday."""
    local = moment
    while local.weekday() >= 5:
        local = (local + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return local


def add_business_days(moment: dt.datetime, days: int) -> dt.datetime:
    """`moment` (aware, in the client's zone) plus `days` business days (Mon-Fri), at the same
    local time. A moment at the weekend counts from the start of the next Monday, so
    Saturday + 1 business day is the end of Monday."""
    local = _business_start(moment)
    remaining = days
    while remaining > 0:
        local += dt.timedelta(days=1)
        if local.weekday() < 5:
            remaining -= 1
    return local


def feedback_due_at(changed_at: dt.datetime, *, business_days: int, zone: ZoneInfo) -> dt.datetime:
    """When a submission unchanged since `changed_at` breaches the feedback SLA."""
    return add_business_days(changed_at.astimezone(zone), business_days)


def business_days_waiting(changed_at: dt.datetime, *, now: dt.datetime, zone: ZoneInfo) -> int:
    """Whole business days elapsed since `changed_at` (what the agency sees)."""
    # One walk over the calendar: the k-th weekday reached is add_business_days(start, k).
    local = _business_start(changed_at.astimezone(zone))
    waited = 0
    while True:
        local += dt.timedelta(days=1)
        if local > now:
            return waited
        if local.weekday() < 5:
            waited += 1


def scorecard_is_overdue(due_at: dt.datetime, *, now: dt.datetime, overdue_hours: int) -> bool:
    return now >= due_at + dt.timedelta(hours=overdue_hours)


def brief_is_closing(deadline: dt.date, *, today: dt.date, closing_days: int) -> bool:
    """The deadline is today or within the next `closing_days` days (local calendar)."""
    return today <= deadline <= today + dt.timedelta(days=closing_days)


def draft_is_stale(created_at: dt.datetime, *, now: dt.datetime, stale_days: int) -> bool:
    return now - created_at >= dt.timedelta(days=stale_days)


def digest_send_at(local_now: dt.datetime, *, weekday: int, hour: int) -> dt.datetime:
    """This ISO week's sending time of the digest, in the zone of `local_now`. Anything at or
    after it sends (a run missed at the hour catches up later that week)."""
    monday = local_now.date() - dt.timedelta(days=local_now.weekday())
    day = monday + dt.timedelta(days=weekday)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=local_now.tzinfo)


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weekday_choices() -> list[tuple[int, str]]:
    return list(enumerate(WEEKDAYS))
