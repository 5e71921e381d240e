"""Domain errors that are not field validation: the caller maps them to HTTP 409 / 404."""


class ConflictError(Exception):
    """The request is valid but conflicts with the current state (409)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class NotFoundError(Exception):
    """The object does not exist or is outside the actor's reach (always the same 404)."""
