"""Hostile files, made by code at test time (nothing binary is committed).

Each ``Hostile`` is one file as an attacker or a broken export would send it, with the
words the refusal must contain at each kind of endpoint: ``evidence`` (training done
elsewhere) and ``staff`` (the staff import, page and API)."""

import io
import random
import struct
import zipfile
import zlib
from dataclasses import dataclass

import openpyxl
from PIL import Image

STAFF_HEADER = "email,first name,last name,role,staff category,job title,start date\n"


@dataclass(frozen=True)
class Hostile:
    key: str
    name: str
    content: bytes
    #: What the refusal says, at each kind of endpoint.
    evidence: str
    staff: str


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_declaring(width: int, height: int) -> bytes:
    """A PNG of a few dozen bytes whose header declares ``width`` × ``height`` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def png(size=(8, 8)) -> bytes:
    """A real PNG of noise (so that its image data is most of the file)."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, random.Random(16).randbytes(size[0] * size[1] * 3)).save(
        buffer, format="PNG"
    )
    return buffer.getvalue()


def pdf() -> bytes:
    return b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def zip_archive(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bomb_xlsx(unzipped_mb: int = 70) -> bytes:
    """A workbook-shaped zip whose one sheet unzips to ``unzipped_mb`` MB of blanks."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            block = b" " * (1024 * 1024)
            for _ in range(unzipped_mb):
                sheet.write(block)
    return buffer.getvalue()


def staff_xlsx(rows=(("a@b.test", "Amy", "Patel", "staff", "teaching", "", "2024-09-01"),)):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(STAFF_HEADER.strip().split(","))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_declared_dimension(xlsx: bytes, ref: str) -> bytes:
    """The workbook with its first sheet's ``<dimension ref=…>`` replaced by ``ref``."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                start = data.index(b"<dimension ref=")
                end = data.index(b"/>", start) + 2
                data = data[:start] + f'<dimension ref="{ref}"/>'.encode() + data[end:]
            target.writestr(item, data)
    return buffer.getvalue()


def _cell_ref(column: int, row: int) -> str:
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def minimal_xlsx(rows, *, dimension: str | None = None) -> bytes:
    """The smallest workbook Excel and openpyxl open: one sheet of inline strings, with
    ``<dimension ref=dimension>`` declared when given."""
    from xml.sax.saxutils import escape

    sheet_rows = "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{_cell_ref(c, r)}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
            for c, value in enumerate(row)
        )
        + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return zip_archive(
        {
            "[Content_Types].xml": (
                b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                b'package.relationships+xml"/><Default Extension="xml" ContentType='
                b'"application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
                b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
            ),
            "_rels/.rels": (
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                f'relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
                'Target="xl/workbook.xml"/></Relationships>'
            ).encode(),
            "xl/workbook.xml": (
                f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="Staff" '
                'sheetId="1" r:id="rId1"/></sheets></workbook>'
            ).encode(),
            "xl/_rels/workbook.xml.rels": (
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                f'relationships"><Relationship Id="rId1" Type="{rel}/worksheet" '
                'Target="worksheets/sheet1.xml"/></Relationships>'
            ).encode(),
            "xl/worksheets/sheet1.xml": (
                f'<worksheet xmlns="{main}">{declared}<sheetData>{sheet_rows}</sheetData>'
                "</worksheet>"
            ).encode(),
        }
    )


STAFF_ROWS = (
    tuple(STAFF_HEADER.strip().split(",")),
    ("amy.patel@oakwood.test", "Amy", "Patel", "staff", "teaching", "", "2024-09-01"),
)


def dimension_bomb_xlsx() -> bytes:
    """A real staff workbook of about 1.6 KB whose sheet declares every cell Excel
    allows: A1:XFD1048576."""
    return minimal_xlsx(STAFF_ROWS, dimension="A1:XFD1048576")


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n"
SVG = (
    b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
    b'<script>alert(1)</script><image xlink:href="https://attacker.test/x.png"/>'
    b"<text>&x;</text></svg>\n"
)

NOT_TEXT = "could not be read as text"
NOT_A_WORKBOOK = "could not be read as an Excel workbook"
NO_EMAIL_COLUMN = 'The "email" column is missing'


def corpus() -> list[Hostile]:
    real_xlsx = staff_xlsx()
    real_png = png((64, 64))
    return [
        Hostile(
            "zip-named-pdf",
            "certificate.pdf",
            zip_archive({"word/document.xml": b"<w:document/>"}),
            "This file is a zip archive",
            NOT_A_WORKBOOK,
        ),
        Hostile(
            "gif-named-png",
            "photo.png",
            b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00"
            b"\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
            "This file is a GIF image",
            NOT_TEXT,
        ),
        Hostile(
            "html-named-pdf",
            "certificate.pdf",
            HTML,
            "This file is a web page (HTML)",
            NO_EMAIL_COLUMN,
        ),
        Hostile(
            "polyglot-pdf-html",
            "certificate.pdf",
            b"%PDF-1.4\n" + HTML + b"1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n",
            "The PDF also contains a web page",
            NO_EMAIL_COLUMN,
        ),
        Hostile(
            "polyglot-pdf-zip",
            "certificate.pdf",
            pdf() + zip_archive({"payload.html": HTML}),
            "The PDF also contains a zip archive",
            NOT_TEXT,
        ),
        Hostile(
            "polyglot-png-html",
            "photo.png",
            real_png + HTML,
            "The image has other data hidden after its end",
            NOT_TEXT,
        ),
        Hostile(
            "svg-script-external",
            "badge.svg",
            SVG,
            "This file is an SVG image, which can carry scripts",
            NO_EMAIL_COLUMN,
        ),
        Hostile(
            "png-decompression-bomb",
            "photo.png",
            png_declaring(20000, 20000),
            "The image is too large to open",
            NOT_TEXT,
        ),
        Hostile(
            "png-too-many-pixels",
            "photo.png",
            png_declaring(9000, 9000),
            "The image says it is 9000 × 9000 pixels",
            NOT_TEXT,
        ),
        Hostile(
            "zip-bomb-xlsx",
            "staff.xlsx",
            zip_bomb_xlsx(),
            "This file is a zip archive",
            "This workbook unzips to 70 MB",
        ),
        Hostile(
            "xlsx-huge-dimensions",
            "staff.xlsx",
            dimension_bomb_xlsx(),
            "This file is a zip archive",
            "The sheet says it is 1,048,576 rows by 16,384 columns",
        ),
        Hostile(
            "csv-nul-bytes",
            "staff.csv",
            STAFF_HEADER.encode() + b"a@b.test,Amy\x00,Patel,staff,teaching,,2024-09-01\n",
            "The file must be a PDF, PNG or JPEG",
            "it contains NUL bytes (line 2)",
        ),
        Hostile(
            "csv-mixed-encodings",
            "staff.csv",
            STAFF_HEADER.encode()
            + "zoë@b.test,Zoë,Brontë,staff,teaching,,2024-09-01\n".encode()
            + "ann@b.test,Anaïs,Nin,staff,teaching,,2024-09-01\n".encode("cp1252"),
            "The file must be a PDF, PNG or JPEG",
            "it mixes text encodings (line 2 is UTF-8, line 3 is not)",
        ),
        Hostile(
            "csv-utf16",
            "staff.csv",
            STAFF_HEADER.encode("utf-16"),
            "The file must be a PDF, PNG or JPEG",
            "it contains NUL bytes (line 1)",
        ),
        Hostile("empty", "staff.csv", b"", "The submitted file is empty", "empty"),
        Hostile(
            "truncated-xlsx",
            "staff.xlsx",
            real_xlsx[: len(real_xlsx) // 2],
            "This file is a zip archive",
            NOT_A_WORKBOOK,
        ),
        Hostile(
            "truncated-png",
            "photo.png",
            real_png[: len(real_png) * 2 // 3],
            "The image is damaged or incomplete",
            NOT_TEXT,
        ),
        Hostile(
            "truncated-pdf",
            "certificate.pdf",
            pdf()[:30],
            "The PDF is incomplete",
            NO_EMAIL_COLUMN,
        ),
        Hostile(
            "name-path-traversal",
            "../../../../tmp/cpd-escaped.html",
            HTML,
            "This file is a web page (HTML)",
            NO_EMAIL_COLUMN,
        ),
        Hostile(
            "name-control-characters",
            "evil\x1b[2J\r\nX-Injected: 1\t.pdf",
            HTML,
            "This file is a web page (HTML)",
            NO_EMAIL_COLUMN,
        ),
    ]
