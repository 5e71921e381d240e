"""django-tenants' PostgreSQL backend, knowing which search_path is in effect on the
connection, so that a request for the schema the connection is already in skips
`SET search_path` (tenants.middleware, docs/performance.md "Partner API list").

django-tenants forgets the path it set on every `set_tenant` (each request calls it), so
with `TENANT_LIMIT_SET_CALLS` every request still pays one `SET search_path` round trip.
This wrapper also remembers, in `search_path_in_effect`, the path of the last `SET` that
succeeded on this connection, and forgets it exactly where django-tenants forgets its own
(rollback, rollback to a savepoint, close), because PostgreSQL undoes a `SET` made inside
a transaction that rolls back. `keep_search_path_in_effect()` tells django-tenants that the
path the current tenant needs is the one already in effect; the routing middleware calls it
for hosts it routed from memory, outside any transaction.
"""

from typing import Any

from django_tenants.postgresql_backend.base import *  # noqa: F403
from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantsDatabaseWrapper


class DatabaseWrapper(TenantsDatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.search_path_in_effect: list[str] | None = None
        super().__init__(*args, **kwargs)

    def _handle_search_path(self, cursor: Any = None) -> None:
        super()._handle_search_path(cursor)
        if self._setting_search_path:
            return
        # Set after a SET that succeeded (or a cursor that needed none); None after a failure.
        set_now: list[str] | None = getattr(self, "search_path_set_schemas", None)
        self.search_path_in_effect = list(set_now) if set_now else None

    def keep_search_path_in_effect(self) -> bool:
        """Skip the next `SET search_path` when the path the current schema needs is already
        in effect and no transaction could still undo it. True when it is skipped."""
        known: list[str] | None = getattr(self, "search_path_set_schemas", None)
        if known is not None or self.in_atomic_block:
            return False
        if self.connection is None or self.connection.closed:
            return False
        needed = list(self._get_cursor_search_paths())
        if self.search_path_in_effect != needed:
            return False
        self.search_path_set_schemas = needed
        return True

    def close(self) -> None:
        self.search_path_in_effect = None
        super().close()

    def rollback(self) -> None:
        self.search_path_in_effect = None
        super().rollback()

    def savepoint_rollback(self, sid: Any) -> None:
        try:
            super().savepoint_rollback(sid)
        finally:
            self.search_path_in_effect = None
