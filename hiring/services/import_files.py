"""CSV files of the bulk import: what the columns are, and reading an upload into rows.

A file that cannot be imported as a whole (not UTF-8, missing columns, too many rows, too
large) is refused here with a message that says how to fix it; row-level rules are the
submission's own (hiring.services.imports runs them).
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError

from hiring.fields import CANDIDATE_FIELDS, CONTACT_FIELDS, PROOF_FIELDS
from hiring.models import RoleBrief

CANDIDATE_COLUMNS = CANDIDATE_FIELDS
PROOF_COLUMNS = PROOF_FIELDS
RATE_COLUMNS = ("rate_amount", "rate_currency")
# The order of the downloadable template.
COLUMNS = ("brief_id", *CANDIDATE_COLUMNS, *PROOF_COLUMNS, "right_to_represent", *RATE_COLUMNS)
REQUIRED_COLUMNS = ("full_name", "proof_shipped_solution", "right_to_represent")
CONTACT_COLUMNS = CONTACT_FIELDS
YES_VALUES = frozenset({"yes", "true", "1"})

UTF8_ADVICE = (
    'save the file as UTF-8 CSV (in Excel: File > Save As > "CSV UTF-8 (Comma delimited)"; '
    "in Google Sheets: File > Download > Comma-separated values) and upload it again."
)


@dataclass(frozen=True)
class ParsedCsv:
    """A decoded CSV. `records[0]` is the header as written; `columns` is its normalised form
    (lower case, spaces and hyphens as underscores, "" for an unnamed column)."""

    records: list[list[str]]
    columns: list[str]

    def data_rows(self) -> Iterator[tuple[int, list[str]]]:
        """(spreadsheet row number, cells) of each row that is not blank. The header is row 1,
        so the first data row is row 2, as a spreadsheet shows it."""
        for index, cells in enumerate(self.records[1:], start=2):
            if any(cell.strip() for cell in cells):
                yield index, cells


# Common spellings of a column that people type in their own sheets.
COLUMN_ALIASES = {"e_mail": "email", "email_address": "email", "phone_number": "phone"}


def _normalise_column(name: str) -> str:
    column = re.sub(r"[\s\-]+", "_", name.strip().lower())
    return COLUMN_ALIASES.get(column, column)


def _delimiter(text: str) -> str:
    # Spreadsheets in many European locales write ";" (and some exports use tabs).
    header_line = text.split("\n", 1)[0]
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": message})


def csv_decode(data: bytes) -> str:
    """The file's text. UTF-8 only (a byte-order mark is fine); anything else is refused
    with what to do about it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise _file_error(f"This file is saved as UTF-16, not UTF-8: {UTF8_ADVICE}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_error(f"This file is not in UTF-8: {UTF8_ADVICE}") from None


def csv_parse(text: str, *, brief_chosen: bool) -> ParsedCsv:
    """Read the records and check the header. `brief_chosen`: the upload names one brief for
    rows that leave brief_id empty, so the brief_id column becomes optional."""
    if not text.strip():
        raise _file_error("The file is empty.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    records: list[list[str]] = []
    data_rows = 0
    try:
        for cells in reader:
            records.append(cells)
            if len(records) > 1 and any(cell.strip() for cell in cells):
                data_rows += 1
                if data_rows > settings.IMPORT_MAX_ROWS:
                    raise _file_error(
                        f"The file has more than {settings.IMPORT_MAX_ROWS} rows of candidates. "
                        f"Split it into files of up to {settings.IMPORT_MAX_ROWS} rows."
                    )
    except csv.Error:
        raise _file_error(
            f"The file could not be read as CSV near row {len(records) + 1}. Check that "
            "quotation marks are paired, then save it again as CSV."
        ) from None
    columns = [_normalise_column(name) for name in records[0]]
    _check_columns(columns, brief_chosen=brief_chosen)
    if data_rows == 0:
        raise _file_error("The file has a header row but no candidates under it.")
    return ParsedCsv(records=records, columns=columns)


def _check_columns(columns: list[str], *, brief_chosen: bool) -> None:
    named = [column for column in columns if column]
    problems = []
    duplicated = sorted({column for column in named if named.count(column) > 1})
    if duplicated:
        problems.append(f"These columns appear more than once: {', '.join(duplicated)}.")
    unknown = [column for column in named if column not in COLUMNS]
    if unknown:
        shown = ", ".join(column[:40] for column in unknown[:10])
        problems.append(
            f"Unknown columns: {shown}. Rename or remove them; the template lists the columns "
            "this import reads."
        )
    required = REQUIRED_COLUMNS if brief_chosen else ("brief_id", *REQUIRED_COLUMNS)
    missing = [column for column in required if column not in named]
    if missing:
        problems.append(f"The file is missing required columns: {', '.join(missing)}.")
    if not any(column in named for column in CONTACT_COLUMNS):
        problems.append("Add an email column, a phone column, or both.")
    if problems:
        raise _file_error(" ".join(problems))


def canonical_csv(parsed: ParsedCsv, *, brief: RoleBrief | None) -> bytes:
    """The stored copy: UTF-8 without a byte-order mark, comma-separated, and the brief chosen
    at upload written into rows that leave brief_id empty, so the job needs nothing but its
    file. Records, blank ones included, keep their positions: row numbers stay the uploader's.
    """
    output = io.StringIO()
    writer = csv.writer(output)
    records = parsed.records
    if brief is None:
        writer.writerows(records)
        return output.getvalue().encode("utf-8")
    if "brief_id" not in parsed.columns:
        records = [["brief_id", *records[0]], *(["", *cells] for cells in records[1:])]
    brief_index = [_normalise_column(name) for name in records[0]].index("brief_id")
    writer.writerow(records[0])
    for cells in records[1:]:
        is_blank = not any(cell.strip() for cell in cells)
        if not is_blank:
            cells = [*cells, *[""] * (brief_index + 1 - len(cells))]
            if not cells[brief_index].strip():
                cells = [*cells[:brief_index], str(brief.public_id), *cells[brief_index + 1 :]]
        writer.writerow([] if is_blank else cells)
    return output.getvalue().encode("utf-8")


def read_upload(upload: IO[bytes]) -> bytes:
    limit = settings.IMPORT_MAX_BYTES
    too_large = _file_error(
        f"The file is larger than {megabytes(limit)}. Split it into smaller files."
    )
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > limit:
        raise too_large
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_large
    return data


def megabytes(size: int) -> str:
    """A size limit as people read it ("20 MB")."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size} bytes"
