import csv
import hashlib
import io
import re
import time
import zipfile
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

    def as_dict(self) -> dict:
        """What a pending import keeps: the checked rows, not the file (which is read
        once, when it is uploaded)."""
        return {
            "filename": self.filename,
            "sha256": self.sha256,
            "rows": [row.as_dict() for row in self.rows],
            "problems": [problem.as_dict() for problem in self.problems],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "StaffFile":
        return cls(
            filename=data["filename"],
            sha256=data["sha256"],
            rows=[StaffRow.from_dict(row) for row in data["rows"]],
            problems=[Problem(**problem) for problem in data["problems"]],
        )


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")


def _unreadable(reason: str) -> StaffImportError:
    return _refused(
        _(
            "This file could not be read as text: %(reason)s. Save it from your spreadsheet "
            'as "CSV UTF-8" or as an Excel workbook (.xlsx) and upload it again.'
        )
        % {"reason": reason}
    )


def _decode(content: bytes) -> str:
    """UTF-8 (with or without a byte order mark), else Windows-1252, as Excel on Windows
    saves "CSV (Comma delimited)". Refused, saying why: NUL bytes (a binary file, or
    UTF-16), and a file that mixes the two (some lines UTF-8, some not), which would
    otherwise turn every accented name in the UTF-8 part into nonsense."""
    if b"\x00" in content:
        line = content[: content.index(b"\x00")].count(b"\n") + 1
        raise _unreadable(
            _("it contains NUL bytes (line %(line)d), so it is not a CSV file") % {"line": line}
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = content[: exc.start].count(b"\n") + 1
    utf8 = _UTF8_SEQUENCE.search(content)
    if utf8 is not None:
        raise _unreadable(
            _("it mixes text encodings (line %(utf8)d is UTF-8, line %(other)d is not)")
            % {"utf8": content[: utf8.start()].count(b"\n") + 1, "other": bad_line}
        )
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise _unreadable(
            _("line %(line)d is in an encoding we do not know") % {"line": bad_line}
        ) from None


_FIRST_LINE = re.compile(r"^[^\r\n]*\S[^\r\n]*$", re.MULTILINE)


def _csv_table(content: bytes) -> list[tuple[int, list]]:
    text = _decode(content)
    lines = text.count("\n")
    most = 2 * cpd_settings.STAFF_IMPORT_MAX_ROWS + 1000
    if lines > most:
        raise _refused(
            _(
                "The file has %(lines)s lines, more than a staff list of at most %(max)s "
                "rows can have. Remove the blank lines, or split it into smaller files."
            )
            % {"lines": f"{lines:,}", "max": f"{cpd_settings.STAFF_IMPORT_MAX_ROWS:,}"}
        )
    first = _FIRST_LINE.search(text)  # not splitlines(): a file of blank lines is cheap
    first_line = first.group(0) if first else ""
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=",;").delimiter
    except csv.Error:
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    limit = cpd_settings.STAFF_IMPORT_MAX_ROWS + 50
    width = len(COLUMNS) + XLSX_EXTRA_COLUMNS
    table = []
    try:
        # Blank lines are not kept, and no row is kept wider than a workbook's would be:
        # a file of a million empty lines or commas holds no more than a real one.
        for number, row in enumerate(reader, start=1):
            if any(cell.strip() for cell in row):
                table.append((number, row[:width]))
                if len(table) > limit:
                    break
        return table
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


#: Columns read from a workbook: the known headings and this many more, so that a few
#: unknown columns (notes, a staff number) do not hide a known one, while a sheet that
#: claims thousands of columns is read no wider than this.
XLSX_EXTRA_COLUMNS = 20
#: The most a workbook may hold once unzipped, and the most any one part may expand by:
#: a zip bomb dressed as .xlsx is refused before anything is parsed.
XLSX_MAX_UNZIPPED_BYTES = 60 * 1024 * 1024
XLSX_MAX_RATIO = 200
#: Seconds a file may take to read before it is refused as too complex.
READ_SECONDS = 10.0


def _refused(message: str) -> StaffImportError:
    return StaffImportError([Problem(None, None, message)])


def _xlsx_unzipped_check(content: bytes) -> None:
    """Refuse a workbook whose parts would unzip to far more than a staff list needs,
    from the sizes its zip directory declares (nothing is unzipped to find out)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _refused(
            _(
                "This file could not be read as an Excel workbook (.xlsx). It is damaged "
                "or not a workbook: save it again as .xlsx or CSV and upload it again."
            )
        ) from exc
    total = sum(part.file_size for part in parts)
    swollen = any(
        part.file_size > XLSX_MAX_RATIO * max(part.compress_size, 1) and part.file_size > 10**6
        for part in parts
    )
    if total > XLSX_MAX_UNZIPPED_BYTES or swollen:
        raise _refused(
            _(
                "This workbook unzips to %(size)d MB, far more than a staff list needs (it "
                "may be a zip bomb). Save only the staff sheet as .xlsx or CSV and upload it "
                "again."
            )
            % {"size": total // (1024 * 1024)}
        )


#: The widest sheet a staff list may declare (its own ``<dimension>``).
XLSX_MAX_DECLARED_COLUMNS = 1000


def _declared_size_check(sheet) -> None:
    """Refuse a sheet that declares itself bigger than any staff list; one that declares
    nothing, or a wrong smaller size, is read within the caps all the same."""
    rows, columns = sheet.max_row or 0, sheet.max_column or 0
    if rows > cpd_settings.STAFF_IMPORT_MAX_ROWS + 50 or columns > XLSX_MAX_DECLARED_COLUMNS:
        raise _refused(
            _(
                "The sheet says it is %(rows)s rows by %(columns)s columns, more than a "
                "staff list can be (at most %(max)s rows). Copy the staff into a new "
                "workbook and upload that."
            )
            % {
                "rows": f"{rows:,}",
                "columns": f"{columns:,}",
                "max": f"{cpd_settings.STAFF_IMPORT_MAX_ROWS:,}",
            }
        )


def _xlsx_table(content: bytes) -> list[tuple[int, list]]:
    """The first sheet's rows, read as a stream: the sheet's declared dimensions are
    ignored (a sheet may claim A1:XFD1048576 and openpyxl would pad every row to it),
    at most the known columns plus ``XLSX_EXTRA_COLUMNS`` are read, and no more rows than
    the limit allows."""
    import openpyxl

    _xlsx_unzipped_check(content)
    deadline = time.monotonic() + READ_SECONDS
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            _declared_size_check(sheet)
            sheet.reset_dimensions()
            limit = cpd_settings.STAFF_IMPORT_MAX_ROWS + 50
            table = []
            rows = sheet.iter_rows(
                max_row=limit, max_col=len(COLUMNS) + XLSX_EXTRA_COLUMNS, values_only=True
            )
            for number, row in enumerate(rows, start=1):
                if time.monotonic() > deadline:
                    raise _refused(
                        _(
                            "This workbook took too long to read. Save only the staff "
                            "sheet as .xlsx or CSV and upload it again."
                        )
                    )
                table.append((number, list(row)))
            return table
        finally:
            workbook.close()
    except StaffImportError:
        raise
    except Exception as exc:  # a damaged or foreign file: openpyxl raises many kinds
        raise _refused(
            _(
                "This file could not be read as an Excel workbook (.xlsx). Save it "
                "again as .xlsx or CSV and upload it again."
            )
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
