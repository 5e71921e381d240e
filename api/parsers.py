"""JSON request bodies, parsed strictly: any malformed body is a 400, never a 500."""

from collections.abc import Mapping
from typing import IO, Any

import orjson
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import BaseParser

from hiring.text import text_problem

KEY_PROBLEM = "A field name holds a control character."


def _control_characters(value: Any, path: str, found: dict[str, list[str]]) -> None:
    """Every string of the document, keys included, checked as long text: newlines and tabs
    are fine anywhere (serializers of one-line fields refuse them), other control characters
    nowhere. Problems are filed under the dotted path of the value ("candidate.skills.1")."""
    if isinstance(value, str):
        problem = text_problem(value, multiline=True)
        if problem:
            found[path or "non_field_errors"] = [problem]
    elif isinstance(value, dict):
        for key, item in value.items():
            if text_problem(key, multiline=False):
                found[path or "non_field_errors"] = [KEY_PROBLEM]
                continue
            _control_characters(item, f"{path}.{key}" if path else key, found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _control_characters(item, f"{path}.{index}" if path else str(index), found)


class StrictJSONParser(BaseParser):
    """orjson parsing: UTF-8 only, no NaN/Infinity/overflowing numbers, nesting limited to
    1024 levels, so a pathological body cannot exhaust the stack. Integers beyond 64 bits
    become floats, which every integer field then refuses. A control character in any string
    (other than newline, carriage return and tab), a NUL included, is a 400 naming the field
    (hiring.text)."""

    media_type = "application/json"

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        raw = stream.read()
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise ParseError(f"The body is not valid JSON: {error.msg}.") from None
        found: dict[str, list[str]] = {}
        _control_characters(data, "", found)
        if found:
            raise ValidationError(found)
        return data
