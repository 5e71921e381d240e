"""Forms on workspace pages: how a service's refusal reaches the form that asked for it.

Forms parse and present input; the rules live in the services. `form_action` calls the
service and turns what it raises into what the person sees: field errors next to the fields,
a conflict's message at the top of the page with a 409.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError

from audit.errors import ConflictError


def apply_service_errors(
    form: forms.BaseForm, error: ValidationError, *, fields: Mapping[str, str | None] = {}
) -> None:
    """Show a service's ValidationError on the form: known fields next to the field, anything
    else (and "__all__") at the top of the form. `fields` renames the service's field names
    to the form's (None: not shown, because the page shows that part elsewhere)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        field = fields.get(field, field)  # type: ignore[assignment]
        if field is None:
            continue
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


@dataclass(frozen=True)
class FormOutcome[T]:
    """What became of a form's action: `value` on success; otherwise the status to answer
    with and, for a conflict, the message to show at the top of the page."""

    ok: bool
    value: T | None = None
    status: int = 200
    conflict: str = ""


def form_action[T](
    form: forms.BaseForm, action: Callable[[], T], *, fields: Mapping[str, str | None] = {}
) -> FormOutcome[T]:
    """Run a service call for a valid form. A ValidationError lands on the form (status 200:
    the page shows the form again with the errors; `fields` as for apply_service_errors); a
    ConflictError becomes the page's error with status 409. Anything else propagates."""
    try:
        value = action()
    except ValidationError as error:
        apply_service_errors(form, error, fields=fields)
        return FormOutcome(ok=False)
    except ConflictError as error:
        return FormOutcome(ok=False, status=409, conflict=error.message)
    return FormOutcome(ok=True, value=value)
