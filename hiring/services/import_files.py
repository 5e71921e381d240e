"""CSV files of the bulk import: what the columns are, and reading an upload into rows.

A file that cannot be imported as a whole (not UTF-8, missing columns, too many rows, too
large) is refused here with a message that says how to fix it; row-level rules are the
submission's own (hiring.services.imports runs them).
"""

import csv
import hashlib
import io
import itertools
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

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

# Uploads and stored copies are read in blocks of this size, never whole.
READ_BLOCK_BYTES = 1024 * 1024

UTF8_ADVICE = (
    'save the file as UTF-8 CSV (in Excel: File > Save As > "CSV UTF-8 (Comma delimited)"; '
    "in Google Sheets: File > Download > Comma-separated values) and upload it again."
)


# Common spellings of a column that people type in their own sheets.
COLUMN_ALIASES = {"e_mail": "email", "email_address": "email", "phone_number": "phone"}


def _normalise_column(name: str) -> str:
    column = re.sub(r"[\s\-]+", "_", name.strip().lower())
    return COLUMN_ALIASES.get(column, column)


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": message})


class _Bytes(io.RawIOBase):
    """Any object with read(n) (an upload, a stored file) as a raw stream to buffer."""

    def __init__(self, upload: IO[bytes]) -> None:
        self.upload = upload

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.upload.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _CheckedBytes(_Bytes):
    """The upload's bytes as they are read: counted against IMPORT_MAX_BYTES, hashed, and
    refused at once when they are UTF-16 (a byte-order mark or a NUL byte)."""

    def __init__(self, upload: IO[bytes]) -> None:
        super().__init__(upload)
        self.limit = settings.IMPORT_MAX_BYTES
        self.size = 0
        self.sha256 = hashlib.sha256()

    def readinto(self, buffer: Any) -> int:
        data = self.upload.read(len(buffer))
        if not data:
            return 0
        if (self.size == 0 and data.startswith((b"\xff\xfe", b"\xfe\xff"))) or b"\x00" in data:
            raise _file_error(f"This file is saved as UTF-16, not UTF-8: {UTF8_ADVICE}")
        self.size += len(data)
        if self.size > self.limit:
            raise _file_error(
                f"The file is larger than {megabytes(self.limit)}. Split it into smaller files."
            )
        self.sha256.update(data)
        buffer[: len(data)] = data
        return len(data)


def _records(stream: _Bytes, checked: list[bool]) -> Iterator[list[str]]:
    """The CSV records of a UTF-8 byte stream (a byte-order mark is fine), read as they come:
    the delimiter is the header line's (spreadsheets in many European locales write ";",
    some exports tabs). `checked[0]` becomes True once any text that is not whitespace was
    read. Raises ValidationError("file") for text that is not UTF-8 or not CSV."""
    text = io.TextIOWrapper(
        io.BufferedReader(stream, buffer_size=READ_BLOCK_BYTES),
        encoding="utf-8-sig",
        newline="",
    )
    count = 0
    try:
        header_line = text.readline()
        counts = {d: header_line.count(d) for d in (",", ";", "\t")}
        best = max(counts, key=lambda d: counts[d])
        lines = itertools.chain([header_line], text)
        for cells in csv.reader(lines, delimiter=best if counts[best] else ","):
            count += 1
            if not checked[0] and any(cell.strip() for cell in cells):
                checked[0] = True
            yield cells
    except UnicodeDecodeError:
        raise _file_error(f"This file is not in UTF-8: {UTF8_ADVICE}") from None
    except csv.Error:
        raise _file_error(
            f"The file could not be read as CSV near row {count + 1}. Check that "
            "quotation marks are paired, then save it again as CSV."
        ) from None


@dataclass
class CheckedCsv:
    """An upload read through once: its normalised copy (in a temporary file), its digest
    and its number of rows of candidates."""

    copy: IO[bytes]
    sha256: str
    size: int
    total_rows: int


def csv_check_and_copy(upload: IO[bytes], *, brief: RoleBrief | None) -> CheckedCsv:
    """Check an upload as a whole, reading it once in blocks (memory stays flat however long
    the file), and write the stored copy as it goes: UTF-8 without a byte-order mark,
    comma-separated, and the brief chosen at upload written into rows that leave brief_id
    empty, so the job needs nothing but its file. Records, blank ones included, keep their
    positions: row numbers stay the uploader's.

    Refusals (ValidationError, field "file") come in the order a person fixes them: the
    encoding, the CSV itself, the row limit, then the header, then "no rows"."""
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > settings.IMPORT_MAX_BYTES:
        raise _file_error(
            f"The file is larger than {megabytes(settings.IMPORT_MAX_BYTES)}. "
            "Split it into smaller files."
        )
    raw = _CheckedBytes(upload)
    checked = [False]
    copy = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the caller, who closes it)
    try:
        text = io.TextIOWrapper(copy, encoding="utf-8", newline="", write_through=False)
        writer = csv.writer(text)
        records = _records(raw, checked)
        header = next(records, [])
        columns = [_normalise_column(name) for name in header]
        brief_index = -1
        if brief is not None:
            if "brief_id" not in columns:
                header = ["brief_id", *header]
                columns = ["brief_id", *columns]
                brief_index = -2  # every row gets a brief_id cell in front
            else:
                brief_index = columns.index("brief_id")
        writer.writerow(header)
        data_rows = 0
        for cells in records:
            if not any(cell.strip() for cell in cells):
                writer.writerow([] if brief is not None else cells)
                continue
            data_rows += 1
            if data_rows > settings.IMPORT_MAX_ROWS:
                raise _file_error(
                    f"The file has more than {settings.IMPORT_MAX_ROWS} rows of candidates. "
                    f"Split it into files of up to {settings.IMPORT_MAX_ROWS} rows."
                )
            if brief is not None:
                cells = _with_brief(cells, brief_index, str(brief.public_id))
            writer.writerow(cells)
        if not checked[0]:
            raise _file_error("The file is empty.")
        _check_columns(columns, brief_chosen=brief is not None)
        if data_rows == 0:
            raise _file_error("The file has a header row but no candidates under it.")
        text.flush()
        text.detach()
        copy.seek(0)
    except BaseException:
        copy.close()
        raise
    return CheckedCsv(copy=copy, sha256=raw.sha256.hexdigest(), size=raw.size, total_rows=data_rows)


def _with_brief(cells: list[str], brief_index: int, brief_id: str) -> list[str]:
    if brief_index == -2:
        return [brief_id, *cells]
    cells = [*cells, *[""] * (brief_index + 1 - len(cells))]
    if not cells[brief_index].strip():
        cells[brief_index] = brief_id
    return cells


@dataclass
class CsvRows:
    """A stored copy opened for the run: its normalised columns, and its rows of candidates
    as (spreadsheet row number, cells), read as they are consumed. The header is row 1, so
    the first data row is row 2, as a spreadsheet shows it."""

    columns: list[str]
    rows: Iterator[tuple[int, list[str]]]


def csv_rows(stream: IO[bytes]) -> CsvRows:
    """Open a stored copy (csv_check_and_copy wrote it) for reading, row by row."""
    records = _records(_Bytes(stream), [False])
    columns = [_normalise_column(name) for name in next(records, [])]
    _check_columns(columns, brief_chosen=False)

    def data_rows() -> Iterator[tuple[int, list[str]]]:
        for index, cells in enumerate(records, start=2):
            if any(cell.strip() for cell in cells):
                yield index, cells

    return CsvRows(columns=columns, rows=data_rows())


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


def megabytes(size: int) -> str:
    """A size limit as people read it ("20 MB")."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size} bytes"
