"""Pieces shared by the resource modules: references to other objects by public id, strict
input validation, and mapping a service's field names onto the API's."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from api.errors import django_validation_errors
from hiring.text import line_text_clean

UNKNOWN_FIELD = "Unknown field: it cannot be set through the API."


class StrictKeysMixin:
    """For nested input objects: a key the serializer does not declare is refused with 400
    and named, never silently dropped (DRF's default)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))  # type: ignore[attr-defined]
            if unknown:
                raise ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)  # type: ignore[misc]


class LineTextField(serializers.CharField):
    """Input text on one line (names, e-mails, links, labels): a line break or any control
    character is refused with the field named (hiring.text.line_text_clean). The JSON parser
    already refuses other control characters everywhere; this adds line breaks."""

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        try:
            return line_text_clean(value)
        except DjangoValidationError as error:
            raise ValidationError(error.messages) from None


class AgencyRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(read_only=True)


def validated_input(
    serializer_class: type[serializers.Serializer],
    request: Request,
    *,
    partial: bool = False,
    ignored: Iterable[str] = (),
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The request body, type-checked by `serializer_class`. Unknown keys are refused (400);
    keys in `ignored` (read-only fields of the representation, such as id or stage) are
    accepted and ignored, so a client may send back an object it read."""
    data = request.data
    if not isinstance(data, Mapping):
        raise ValidationError({"non_field_errors": ["Send a JSON object."]})
    serializer = serializer_class(data=data, partial=partial, context=context or {})
    errors: dict[str, Any] = {}
    if not serializer.is_valid():
        errors.update(serializer.errors)
    allowed = set(serializer.fields) | set(ignored)
    for key in data:
        if key not in allowed:
            errors[str(key)] = [UNKNOWN_FIELD]
    if errors:
        raise ValidationError(errors)
    return dict(serializer.validated_data)


def service_errors(error: DjangoValidationError, field_map: Mapping[str, str]) -> ValidationError:
    """A service's ValidationError with its field names renamed to the API's input paths."""
    renamed: dict[str, list[str]] = {}
    for field, messages in django_validation_errors(error).items():
        renamed.setdefault(field_map.get(field, field), []).extend(messages)
    return ValidationError(renamed)
