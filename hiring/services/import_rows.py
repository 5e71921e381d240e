"""One row of an import at a time: the same rules as a single submission, problems kept
per row without repeating the cell, and the progress the uploader sees."""

import logging
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError

from audit.actors import Actor
from audit.errors import ConflictError
from hiring.candidate_identity import normalize_email, normalize_phone
from hiring.models import BriefStatus, Candidate, ImportJob, RoleBrief, Submission
from hiring.selectors import brief_visible_to_agency
from hiring.services.import_files import (
    CANDIDATE_COLUMNS,
    COLUMNS,
    PROOF_COLUMNS,
    YES_VALUES,
)
from hiring.services.submissions import submission_create
from tenants.models import Agency

logger = logging.getLogger(__name__)

# Row problems kept on the job; a file with more stops listing them (the counters stay exact).
MAX_STORED_ERRORS = 1000
# Cells shorter than this are not searched for in error messages (see _message_without_cells).
MIN_CELL_CHARS_TO_SCRUB = 6
BRIEF_NOT_FOUND = "No open brief with this id is shared with the agency."


class ImportStopped(Exception):
    """The whole job cannot go on (its file is unreadable, the engagement ended)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ImportProgress:
    done: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def processed(self) -> int:
        return self.done + self.failed + self.skipped

    def fail(self, row: int, problems: list[tuple[str, str]]) -> None:
        self.failed += 1
        for column, message in problems:
            if len(self.errors) < MAX_STORED_ERRORS:
                self.errors.append({"row": row, "field": column, "message": message})

    def store_on(self, job: ImportJob) -> list[str]:
        job.done_rows, job.failed_rows, job.skipped_rows = self.done, self.failed, self.skipped
        job.errors = self.errors
        return ["done_rows", "failed_rows", "skipped_rows", "errors"]


def _contact_keys(values: dict[str, Any]) -> tuple[str | None, str | None]:
    """The row's normalized email and phone: "" when the cell is empty, None when it holds
    something that is not valid (submission_create then reports the problem)."""
    keys: list[str | None] = []
    for column, normalize in (("email", normalize_email), ("phone", normalize_phone)):
        try:
            keys.append(normalize(values.get(column, "")))
        except ValidationError:
            keys.append(None)
    return keys[0], keys[1]


def _split_list(value: str, separators: str) -> list[str]:
    return [part.strip() for part in re.split(separators, value) if part.strip()]


def _message_without_cells(message: str, cells: list[str]) -> str:
    """Row problems are shown to the uploader and stored: they must never carry what the cell
    held (personal data). Today's messages are fixed sentences; this guards future ones."""
    lowered = message.lower()
    for cell in cells:
        value = cell.strip().lower()
        if len(value) >= MIN_CELL_CHARS_TO_SCRUB and value in lowered:
            return "This value is not valid."
    return message


class RowImporter:
    """Turns one CSV row into a `submission_create` call and files the outcome."""

    def __init__(self, *, job: ImportJob, actor: Actor, columns: list[str]) -> None:
        assert job.agency is not None
        self.agency: Agency = job.agency
        self.actor = actor
        self.columns = columns
        self._briefs: dict[str, RoleBrief | None] = {}
        # brief pk -> (normalized emails, phones) of people this agency submitted to it.
        self._submitted: dict[int, tuple[set[str], set[str]]] = {}

    def forget_briefs(self) -> None:
        """Briefs are looked up once per distinct id, and again after each progress save, so a
        brief closed during a long import stops taking rows soon after."""
        self._briefs.clear()

    def _brief(self, value: str) -> RoleBrief | None:
        if value not in self._briefs:
            brief = None
            try:
                public_id = uuid.UUID(value)
            except ValueError:
                public_id = None
            if public_id is not None:
                brief = RoleBrief.objects.filter(public_id=public_id).first()
            if brief is not None and (
                brief.status != BriefStatus.OPEN
                or not brief_visible_to_agency(brief, self.agency.pk)
            ):
                brief = None
            self._briefs[value] = brief
        return self._briefs[value]

    def import_row(self, row: int, cells: list[str], progress: ImportProgress) -> None:
        values, problems = self._values(cells)
        if problems:
            progress.fail(row, problems)
            return
        brief = self._brief(values.get("brief_id", ""))
        if brief is None:
            progress.fail(row, [("brief_id", BRIEF_NOT_FOUND)])
            return
        email, phone = _contact_keys(values)
        if self._submitted_before(brief, email, phone):
            progress.skipped += 1
            return
        try:
            submission_create(
                actor=self.actor,
                brief=brief,
                agency=self.agency,
                candidate_data={k: values[k] for k in CANDIDATE_COLUMNS if k in values},
                proof={k: values[k] for k in PROOF_COLUMNS if k in values},
                right_to_represent=values.get("right_to_represent", "").lower() in YES_VALUES,
                rate_amount=values.get("rate_amount") or None,
                rate_currency=values.get("rate_currency", ""),
            )
        except ValidationError as error:
            progress.fail(
                row,
                [
                    (
                        column if column in COLUMNS else "",
                        _message_without_cells(" ".join(messages), cells),
                    )
                    for column, messages in error.message_dict.items()
                ],
            )
            return
        except ConflictError as conflict:
            if conflict.code == "engagement_inactive":
                raise ImportStopped(
                    f"The import stopped at row {row}: the agency's engagement with this client "
                    "is no longer active. Rows above it were imported."
                ) from None
            if conflict.code == "duplicate_submission" and self._already_ours(brief, values):
                progress.skipped += 1
                return
            column = "brief_id" if conflict.code == "brief_not_open" else ""
            progress.fail(row, [(column, conflict.message)])
            return
        except DatabaseError:
            # submission_create's transaction has rolled back; one bad row must not stop the
            # other thousands. The database's message can quote values, so it is not kept.
            logger.warning("import row %s could not be saved", row, exc_info=False)
            progress.fail(row, [("", "This row could not be saved. Check its values.")])
            return
        progress.done += 1
        emails, phones = self._submitted[brief.pk]
        if email:
            emails.add(email)
        elif phone:
            phones.add(phone)

    def _submitted_before(self, brief: RoleBrief, email: str | None, phone: str | None) -> bool:
        """This agency already submitted the row's person to the brief: the row is skipped
        without a call to submission_create, which makes a re-upload of a corrected file
        cheap. The person is matched as submission_create matches them: by email when the
        row has one (emails are unique per candidate), otherwise by phone. Anything less
        certain goes through submission_create, whose duplicate check has the last word."""
        if brief.pk not in self._submitted:
            pairs = Submission.objects.filter(brief=brief, agency=self.agency).values_list(
                "candidate__email_normalized", "candidate__phone_e164"
            )
            self._submitted[brief.pk] = (
                {email for email, _ in pairs if email},
                {phone for _, phone in pairs if phone},
            )
        emails, phones = self._submitted[brief.pk]
        if email is None or phone is None:
            return False
        if email:
            return email in emails
        return bool(phone) and phone in phones

    def _values(self, cells: list[str]) -> tuple[dict[str, str], list[tuple[str, str]]]:
        columns = self.columns
        extra = cells[len(columns) :]
        if any(cell.strip() for cell in extra):
            return {}, [
                (
                    "",
                    "This row has more cells than the header has columns: put values that "
                    "contain commas in quotation marks.",
                )
            ]
        values: dict[str, Any] = {
            column: cell.strip() for column, cell in zip(columns, cells, strict=False) if column
        }
        if "skills" in values:
            values["skills"] = _split_list(values["skills"], r"[,;]")
        for column in ("links", "proof_links"):
            if column in values:
                values[column] = _split_list(values[column], r"[\s,;]+")
        return values, []

    def _already_ours(self, brief: RoleBrief, values: dict[str, Any]) -> bool:
        """The duplicate is this agency's own earlier submission of the same person (the
        person is found the way submission_create finds them: email first, then phone)."""
        candidate = None
        email, phone = _contact_keys(values)
        if email:
            candidate = Candidate.objects.filter(email_normalized=email).first()
        if candidate is None and phone:
            candidate = Candidate.objects.filter(phone_e164=phone).first()
        return (
            candidate is not None
            and Submission.objects.filter(
                brief=brief, candidate=candidate, agency=self.agency
            ).exists()
        )
