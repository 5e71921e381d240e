"""Who is acting: a signed-in person, a partner's API key, or the platform itself.

Services take an Actor rather than a request, so the same rule applies whether a change comes
from a page, the API, a command or a scheduled task.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    kind: str  # "user", "api_key" or "system"
    user_id: int | None = None
    ref: str = ""
    # Set when the actor acts for a staffing agency (a recruiter, or an agency's API key).
    agency_id: int | None = None
    # The partner API key the change came through (kind "api_key"), for rows that record it.
    api_key_id: int | None = None

    @classmethod
    def for_user(cls, user: object, *, agency_id: int | None = None) -> "Actor":
        return cls(kind="user", user_id=user.pk, agency_id=agency_id)  # type: ignore[attr-defined]

    @classmethod
    def for_api_key(
        cls, *, prefix: str, agency_id: int | None, api_key_id: int | None = None
    ) -> "Actor":
        return cls(kind="api_key", ref=prefix, agency_id=agency_id, api_key_id=api_key_id)

    @classmethod
    def system(cls, job: str) -> "Actor":
        return cls(kind="system", ref=job)
