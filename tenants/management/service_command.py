"""Base for management commands that call one service.

A ValidationError from the service becomes a single-line CommandError (exit status 1) naming
the offending flag, and nothing has been written, because services validate before writing.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


def validation_message(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        parts = []
        for field, errors in error.message_dict.items():
            flag = f"--{field.replace('_', '-')}" if field != "__all__" else ""
            parts.append(f"{flag}: {' '.join(errors)}" if flag else " ".join(errors))
        return "; ".join(parts)
    return " ".join(error.messages)


class ServiceCommand(BaseCommand):
    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except ValidationError as error:
            raise CommandError(validation_message(error)) from None
