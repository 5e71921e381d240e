"""Resume files: type sniffed from the bytes, size-limited, stored under the tenant's folder."""

import uuid
import zipfile
from io import BytesIO
from typing import IO

from django.conf import settings
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
    limit = settings.RESUME_MAX_BYTES
    data = upload.read(limit + 1)
    if len(data) > limit or (size is not None and size > limit):
        raise ValidationError({"resume": f"The resume is larger than {limit // (1024 * 1024)} MB."})
    if not data:
        raise ValidationError({"resume": "The resume file is empty."})
    content_type = sniff_resume_type(data[:8], data)
    if content_type is None:
        raise ValidationError({"resume": "Upload the resume as PDF, DOCX or plain text."})
    name = f"tenants/{current_schema_name()}/resumes/{uuid.uuid4()}.{EXTENSIONS[content_type]}"
    stored = default_storage.save(name, ContentFile(data))
    return stored, content_type
