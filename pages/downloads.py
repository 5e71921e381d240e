"""Files that pages hand out: CSV downloads."""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

# Excel reads a CSV as UTF-8 only when it starts with a byte-order mark.
UTF8_BOM = "\ufeff"


def csv_download(rows: Iterable[Sequence[object]], filename: str) -> HttpResponse:
    """A CSV attachment of `rows` (the first row is the header)."""
    output = io.StringIO()
    output.write(UTF8_BOM)
    csv.writer(output).writerows(rows)
    response = HttpResponse(output.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
