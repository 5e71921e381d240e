"""JSON request bodies, parsed strictly: any malformed body is a 400, never a 500."""

from collections.abc import Mapping
from typing import IO, Any

import orjson
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser


class StrictJSONParser(BaseParser):
    """orjson parsing: UTF-8 only, no NaN/Infinity/overflowing numbers, nesting limited to
    1024 levels, so a pathological body cannot exhaust the stack. Integers beyond 64 bits
    become floats, which every integer field then refuses."""

    media_type = "application/json"

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        raw = stream.read()
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise ParseError(f"The body is not valid JSON: {error.msg}.") from None
