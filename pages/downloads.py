"""Files that pages hand out: CSV downloads.

`csv_download` is the one writer of every CSV the product hands out (import problem reports,
the import template, and the exports to come). Spreadsheets run a cell that starts with `=`,
`+`, `-` or `@` (or a tab or carriage return before one) as a formula, which can reach the
network or run commands ("CSV injection"), so such a cell is written with a leading single
quote, which spreadsheets show as text. A cell that is only a signed number or a phone number
(digits, spaces, `+ - ( ) .`) is left alone: it cannot call a function or name a cell.
What the product stores is never changed; only what it writes out is.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

# Excel reads a CSV as UTF-8 only when it starts with a byte-order mark.
UTF8_BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER_LIKE = re.compile(r"[+-][0-9 ().+-]*")


def csv_cell(value: object) -> object:
    """A cell as it is written: text that a spreadsheet would run is quoted with a leading
    `'`; numbers and other text are written as they are."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if NUMBER_LIKE.fullmatch(value):
        return value
    return "'" + value


def csv_download(rows: Iterable[Sequence[object]], filename: str) -> HttpResponse:
    """A CSV attachment of `rows` (the first row is the header), safe to open in a
    spreadsheet (see the module docstring)."""
    output = io.StringIO()
    output.write(UTF8_BOM)
    csv.writer(output).writerows([csv_cell(cell) for cell in row] for row in rows)
    response = HttpResponse(output.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
