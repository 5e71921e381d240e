"""Resume files: type sniffed from the bytes, size-limited, stored under the tenant's folder.

A resume uploaded to prefill the submission form (hiring.resume_reading) is staged under
`resumes/staged/` and named by a signed token the form carries, so the recruiter does not
attach it twice; submitting takes it (`staged_resume_take`).
"""

import datetime as dt
import uuid
import zipfile
from io import BytesIO
from typing import IO

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tenants.schema import current_schema_name

PDF, DOCX, TEXT = (
    "application/pdf",
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "text/plain",
)
EXTENSIONS = {PDF: "pdf", DOCX: "docx", TEXT: "txt"}


def sniff_resume_type(head: bytes, data: bytes) -> str | None:
    """The real type of the file from its content, or None when it is not PDF, DOCX or text."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return DOCX
        except zipfile.BadZipFile:
            return None
        return None
    if b"\x00" in data[:8192]:
        return None
    try:
        data[:65536].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return TEXT


def resume_store(*, upload: IO[bytes], size: int | None = None) -> tuple[str, str]:
    """Validate and save a resume. Returns (storage name, content type)."""
    data, content_type = resume_validate(upload=upload, size=size)
    name = f"tenants/{current_schema_name()}/resumes/{uuid.uuid4()}.{EXTENSIONS[content_type]}"
    stored = default_storage.save(name, ContentFile(data))
    return stored, content_type


def resume_validate(*, upload: IO[bytes], size: int | None = None) -> tuple[bytes, str]:
    """The file's bytes and real type; ValidationError (field "resume") when it is too
    large, empty, or not PDF, DOCX or text."""
    limit = settings.RESUME_MAX_BYTES
    data = upload.read(limit + 1)
    if len(data) > limit or (size is not None and size > limit):
        raise ValidationError({"resume": f"The resume is larger than {limit // (1024 * 1024)} MB."})
    if not data:
        raise ValidationError({"resume": "The resume file is empty."})
    content_type = sniff_resume_type(data[:8], data)
    if content_type is None:
        raise ValidationError({"resume": "Upload the resume as PDF, DOCX or plain text."})
    return data, content_type


STAGED_MAX_AGE = dt.timedelta(days=1)
STAGED_EXPIRED = (
    "The resume read for this form is no longer kept (after a day, or once used): attach it again."
)


def _staged_salt() -> str:
    return f"hiring.staged_resume.{current_schema_name()}"


def staged_folder() -> str:
    return f"tenants/{current_schema_name()}/resumes/staged"


def resume_stage(*, data: bytes, content_type: str, user_id: int | None) -> str:
    """Keep a validated resume for the form it prefilled; returns the token that names it
    (signed, bound to the workspace and the uploader, valid for STAGED_MAX_AGE)."""
    name = f"{staged_folder()}/{uuid.uuid4()}.{EXTENSIONS[content_type]}"
    stored = default_storage.save(name, ContentFile(data))
    return signing.dumps({"n": stored, "t": content_type, "u": user_id}, salt=_staged_salt())


def staged_resume_take(*, token: str, user_id: int | None) -> tuple[str, str]:
    """The staged resume becomes a submission's resume: stored anew under a neutral name
    (checked again) and the staged copy deleted. Returns (storage name, content type)."""
    try:
        staged = signing.loads(token, salt=_staged_salt(), max_age=STAGED_MAX_AGE)
    except signing.BadSignature:
        raise ValidationError({"resume": STAGED_EXPIRED}) from None
    name = str(staged.get("n", ""))
    if (
        staged.get("u") != user_id
        or not name.startswith(staged_folder() + "/")
        or not default_storage.exists(name)
    ):
        raise ValidationError({"resume": STAGED_EXPIRED})
    with default_storage.open(name, "rb") as staged_file:
        stored = resume_store(upload=staged_file)
    default_storage.delete(name)
    return stored


def staged_resumes_sweep(*, now: dt.datetime) -> int:
    """Delete staged resumes older than STAGED_MAX_AGE (prefilled forms never submitted).
    Returns how many went."""
    folder = staged_folder()
    try:
        _folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return 0
    removed = 0
    for file_name in files:
        path = f"{folder}/{file_name}"
        if default_storage.get_modified_time(path) < now - STAGED_MAX_AGE:
            default_storage.delete(path)
            removed += 1
    return removed
