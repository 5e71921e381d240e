"""Reads the text out of one resume file, in a process of its own.

Run by hiring.resume_reading as `python -I resume_reader_worker.py <content type>` with the
file's bytes on standard input; writes one JSON object to standard output:
`{"text": ..., "links": [...]}` or `{"error": <code>}`. It imports no Django and no product
code, opens no network connection, and before it reads a byte of the file it caps its own
address space, CPU time and file writes (hard limits, so the file cannot lift them): a zip
bomb, a PDF built to loop or a file that exhausts memory ends this process, never the web
worker that started it.
"""

import io
import json
import resource
import sys
import zipfile

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain"

MEMORY_BYTES = 512 * 1024 * 1024
CPU_SECONDS = 8
MAX_INPUT_BYTES = 6 * 1024 * 1024
MAX_TEXT_CHARS = 200_000
MAX_PAGES = 20
MAX_LINKS = 50
# A resume's DOCX holds a few hundred kilobytes of XML; what a zip's directory declares
# beyond these is refused before anything is inflated (zipfile also stops at the declared
# size when the directory lies).
MAX_DOCX_UNCOMPRESSED = 40 * 1024 * 1024
MAX_DOCX_MEMBERS = 1000
LARGE_DOCX_XML = 5 * 1024 * 1024


class Unreadable(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def limit_self() -> None:
    for limit, value in (
        (resource.RLIMIT_AS, MEMORY_BYTES),
        (resource.RLIMIT_CPU, CPU_SECONDS),
        (resource.RLIMIT_FSIZE, 0),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(limit, (value, value))


def pdf_text(data: bytes) -> tuple[str, list[str]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many PDFs are "encrypted" with an empty password only to forbid editing.
            try:
                opened = reader.decrypt("")
            except Exception:
                raise Unreadable("encrypted") from None
            if not opened:
                raise Unreadable("encrypted")
        parts: list[str] = []
        links: list[str] = []
        size = 0
        for page in reader.pages[:MAX_PAGES]:
            text = page.extract_text() or ""
            parts.append(text)
            size += len(text)
            for annotation in page.get("/Annots") or []:
                uri = annotation.get_object().get("/A", {}).get("/URI")
                if isinstance(uri, str) and len(links) < MAX_LINKS:
                    links.append(uri)
            if size > MAX_TEXT_CHARS:
                break
    except Unreadable:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        raise Unreadable("unreadable") from None
    return "\n".join(parts), links


def docx_text(data: bytes) -> tuple[str, list[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            declared = sum(member.file_size for member in members)
            if len(members) > MAX_DOCX_MEMBERS or declared > MAX_DOCX_UNCOMPRESSED:
                raise Unreadable("too_large")
    except zipfile.BadZipFile:
        raise Unreadable("unreadable") from None
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
        parts: list[str] = []
        links: list[str] = []
        for paragraph in document.paragraphs:
            parts.append(paragraph.text)
            for hyperlink in paragraph.hyperlinks:
                if hyperlink.address and len(links) < MAX_LINKS:
                    links.append(hyperlink.address)
        for table in document.tables:
            for row in table.rows:
                parts.append(" | ".join(cell.text for cell in row.cells))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile):
        raise Unreadable("unreadable") from None
    except Exception as error:  # lxml's XMLSyntaxError and relatives
        if type(error).__module__.startswith(("lxml", "docx")):
            # libxml2 reports hitting the address-space cap as a vague parse error ("unknown
            # error"); in a file this big, that is what it was.
            code = "too_large" if declared > LARGE_DOCX_XML else "unreadable"
            raise Unreadable(code) from None
        raise
    return "\n".join(parts), links


def plain_text(data: bytes) -> tuple[str, list[str]]:
    return data.decode("utf-8", errors="replace"), []


READERS = {PDF: pdf_text, DOCX: docx_text, TEXT: plain_text}


def main() -> int:
    limit_self()
    content_type = sys.argv[1] if len(sys.argv) > 1 else ""
    reader = READERS.get(content_type)
    data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    try:
        if reader is None:
            raise Unreadable("unsupported")
        if len(data) > MAX_INPUT_BYTES:
            raise Unreadable("too_large")
        text, links = reader(data)
        result: dict[str, object] = {"text": text[:MAX_TEXT_CHARS], "links": links}
    except Unreadable as problem:
        result = {"error": problem.code}
    except (MemoryError, RecursionError):
        result = {"error": "too_large"}
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
