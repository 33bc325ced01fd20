"""Compliance downloads as CSV and XLSX. Cells that a spreadsheet would run as a formula
(starting with =, +, -, @, or a tab or carriage return) are neutralised with a leading
apostrophe, so a name like "=HYPERLINK(...)" is shown, never executed."""

import csv
import io
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

DATE_FORMAT = "d mmm yyyy"
"""How a date shows in the XLSX download: a real date (sortable, filterable), not text."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def matrix_table(*, lines, requirements) -> tuple[list[str], list[list]]:
    header = ["Surname", "First name", "Email", "Role", "Staff category", "Job title"]
    for requirement in requirements:
        header += [f"{requirement.name}: status", f"{requirement.name}: due or expires"]
    rows = []
    for line in lines:
        membership, user = line.membership, line.membership.user
        row = [
            membership.last_name,
            membership.first_name,
            user.email,
            membership.get_role_display(),
            membership.get_staff_category_display(),
            membership.job_title,
        ]
        for cell in line.cells:
            row += (
                [str(cell.label), cell.due_on or ""]
                if cell
                else [
                    "Not required",
                    "",
                ]
            )
        rows.append(row)
    return header, rows


def _text(value):
    """A CSV cell: dates as YYYY-MM-DD, formulas neutralised."""
    return value.isoformat() if isinstance(value, date) else neutralise(value)


def as_csv(header: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([_text(value) for value in row] for row in rows)
    # With a byte order mark, Excel opens UTF-8 (accented names) correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(header: list[str], rows: list[list], *, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(name) + 2))
    sheet.append(header)

    def cell(value):
        if isinstance(value, date):
            written = WriteOnlyCell(sheet, value=value)
            written.number_format = DATE_FORMAT
            return written
        return neutralise(value)

    for row in rows:
        sheet.append([cell(value) for value in row])
    # A filter button on every heading, over every row.
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(header), 1))}{len(rows) + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
