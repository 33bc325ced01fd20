import csv
import hashlib
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cpd.conf import cpd_settings
from cpd.people.imports.rows import (
    _ALIASES,
    COLUMN_LABELS,
    COLUMNS,
    Problem,
    StaffImportError,
    StaffRow,
    StaffRowForm,
    _normalise_header,
    _text,
)


@dataclass
class StaffFile:
    filename: str
    sha256: str
    rows: list[StaffRow]
    problems: list[Problem]


def _decode(content: bytes) -> str:
    """UTF-8 (with or without a byte order mark), else Windows-1252, as Excel on Windows
    saves "CSV (Comma delimited)". Anything else is refused with a way out."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
        break
    raise StaffImportError(
        [
            Problem(
                None,
                None,
                _(
                    "This file could not be read as text. Save it from your spreadsheet as "
                    '"CSV UTF-8" or as an Excel workbook (.xlsx) and upload it again.'
                ),
            )
        ]
    )


def _csv_table(content: bytes) -> list[tuple[int, list]]:
    text = _decode(content)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=",;").delimiter
    except csv.Error:
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(number, row) for number, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise StaffImportError(
            [
                Problem(
                    reader.line_num,
                    None,
                    _("This line could not be read as CSV (%(reason)s).") % {"reason": exc},
                )
            ]
        ) from exc


def _xlsx_table(content: bytes) -> list[tuple[int, list]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            limit = cpd_settings.STAFF_IMPORT_MAX_ROWS + 50
            table = []
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > limit:
                    break
                table.append((number, list(row)))
            return table
        finally:
            workbook.close()
    except StaffImportError:
        raise
    except Exception as exc:  # a damaged or foreign file: openpyxl raises many kinds
        raise StaffImportError(
            [
                Problem(
                    None,
                    None,
                    _(
                        "This file could not be read as an Excel workbook (.xlsx). Save it "
                        "again as .xlsx or CSV and upload it again."
                    ),
                )
            ]
        ) from exc


def _table(content: bytes) -> list[tuple[int, list]]:
    if not content.strip():
        raise StaffImportError([Problem(None, None, _("The file is empty."))])
    if len(content) > cpd_settings.STAFF_IMPORT_MAX_BYTES:
        raise StaffImportError(
            [
                Problem(
                    None,
                    None,
                    _("The file is larger than %(size)d MB. Split it into smaller files.")
                    % {"size": cpd_settings.STAFF_IMPORT_MAX_BYTES // (1024 * 1024)},
                )
            ]
        )
    if content.startswith(b"PK\x03\x04"):
        return _xlsx_table(content)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise StaffImportError(
            [
                Problem(
                    None,
                    None,
                    _(
                        "Old Excel files (.xls) cannot be read. Save it as an Excel workbook "
                        "(.xlsx) or as CSV and upload it again."
                    ),
                )
            ]
        )
    return _csv_table(content)


def staff_file_read(*, content: bytes, filename: str = "") -> StaffFile:
    """Read and check a staff file. Problems with the whole file (unreadable, a required
    column missing) raise ``StaffImportError``; problems in rows are collected, every one,
    on the returned ``StaffFile``."""
    sha256 = hashlib.sha256(content).hexdigest()
    table = _table(content)
    table = [(n, row) for n, row in table if any(_text(v) for v in row)]
    if not table:
        raise StaffImportError([Problem(None, None, _("The file is empty."))])
    header_number, header = table[0]
    positions: dict[str, int] = {}
    problems = []
    for index, cell in enumerate(header):
        column = _ALIASES.get(_normalise_header(cell))
        if column is None:
            continue
        if column.key in positions:
            problems.append(
                Problem(
                    header_number,
                    column.label,
                    _('Two columns give the %(column)s: "%(first)s" and "%(second)s".')
                    % {
                        "column": column.label,
                        "first": _text(header[positions[column.key]]),
                        "second": _text(cell),
                    },
                )
            )
        positions[column.key] = index
    needed = ", ".join(c.label for c in COLUMNS if c.required)
    for column in COLUMNS:
        if column.required and column.key not in positions:
            problems.append(
                Problem(
                    header_number,
                    column.label,
                    _(
                        'The "%(column)s" column is missing. The first row must name the '
                        "columns; these are needed: %(needed)s."
                    )
                    % {"column": column.label, "needed": needed},
                )
            )
    if problems:
        raise StaffImportError(problems)
    data = table[1:]
    if len(data) > cpd_settings.STAFF_IMPORT_MAX_ROWS:
        raise StaffImportError(
            [
                Problem(
                    None,
                    None,
                    _("The file has more than %(max)d rows of staff. Split it into smaller files.")
                    % {"max": cpd_settings.STAFF_IMPORT_MAX_ROWS},
                )
            ]
        )
    if not data:
        raise StaffImportError(
            [Problem(None, None, _("The file has a header row but no staff in it."))]
        )
    rows: list[StaffRow] = []
    first_row_of: dict[str, int] = {}
    for number, cells in data:
        values = {key: cells[i] if i < len(cells) else None for key, i in positions.items()}
        form = StaffRowForm(values, row=number)
        row_problems = form.problems
        email = _text(values.get("email")).lower()
        if email and email in first_row_of:
            row_problems.append(
                Problem(
                    number,
                    COLUMN_LABELS["email"],
                    _("%(email)s is also on row %(first)d. List each person once.")
                    % {"email": email, "first": first_row_of[email]},
                )
            )
        elif email:
            first_row_of[email] = number
        problems.extend(row_problems)
        if not row_problems:
            rows.append(form.staff_row())
    return StaffFile(filename=filename, sha256=sha256, rows=rows, problems=problems)
