"""Compliance downloads as CSV and XLSX. Cells that a spreadsheet would run as a formula
(starting with =, +, -, @, or a tab or carriage return) are neutralised with a leading
apostrophe, so a name like "=HYPERLINK(...)" is shown, never executed."""

import csv
import io

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

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
                [str(cell.label), cell.due_on.isoformat() if cell.due_on else ""]
                if cell
                else [
                    "Not required",
                    "",
                ]
            )
        rows.append(row)
    return header, rows


def as_csv(header: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([neutralise(value) for value in row] for row in rows)
    # With a byte order mark, Excel opens UTF-8 (accented names) correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(header: list[str], rows: list[list], *, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(name) + 2))
    sheet.append(header)
    for row in rows:
        sheet.append([neutralise(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
