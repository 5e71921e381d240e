"""Real resume files built in the tests: a PDF written object by object (Helvetica text and
an optional link annotation), DOCX files through python-docx, and hostile variants."""

import io
import zipfile

import docx
from pypdf import PdfReader, PdfWriter


def pdf_bytes(lines: list[str], *, link: str | None = None) -> bytes:
    """A one-page PDF whose text is `lines`, with a clickable link when given."""
    ops = ["BT", "/F1 12 Tf", "14 TL", "72 760 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    if link:
        objects.append(
            b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 720] /A << /S /URI /URI ("
            + link.encode()
            + b") >> >>"
        )
        page += b" /Annots [6 0 R]"
    objects[2] = page + b" >>"
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def encrypted_pdf_bytes(lines: list[str], *, password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(lines))))
    writer.encrypt(user_password=password, owner_password=password + "-owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(paragraphs: list[str], *, table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_zip_bomb() -> bytes:
    """A real DOCX whose document.xml inflates to 60 MB of whitespace (about 60 KB packed)."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes(["Bomb"])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + b" " * (60 * 1024 * 1024), 1)
            bomb.writestr(item.filename, data)
    return out.getvalue()


def docx_billion_laughs() -> bytes:
    """A DOCX whose document.xml declares nested entities (the "billion laughs")."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes(["Laughs"])))
    entities = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as laughs:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                head, _, rest = data.partition(b"?>")
                data = (
                    head
                    + b"?><!DOCTYPE w:document ["
                    + entities.encode()
                    + b"]>"
                    + rest.replace(b"Laughs", b"&a9;")
                )
            laughs.writestr(item.filename, data)
    return out.getvalue()


def docx_element_flood(megabytes: int = 30) -> bytes:
    """A DOCX inside the declared-size cap whose document.xml holds millions of empty
    paragraphs: parsing it needs far more memory than the reader may use."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes(["Flood"])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as flood:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                paragraphs = b"<w:p/>" * (megabytes * 1024 * 1024 // 6)
                data = data.replace(b"<w:body>", b"<w:body>" + paragraphs, 1)
            flood.writestr(item.filename, data)
    return out.getvalue()
