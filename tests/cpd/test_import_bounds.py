"""The staff import reads a file within a memory and time bound, whatever the file says
about itself: measured in a separate process, as a web worker would run it."""

import pytest

from cpd.people.imports.reading import XLSX_EXTRA_COLUMNS, staff_file_read
from cpd.people.imports.rows import COLUMNS
from tests.hostile.corpus import STAFF_ROWS, dimension_bomb_xlsx, minimal_xlsx
from tests.hostile.measure import measure


def test_dimension_bomb_xlsx_is_refused_within_200_mb_and_2_seconds():
    bomb = dimension_bomb_xlsx()
    assert 1400 < len(bomb) < 1700  # about 1.6 KB, as found
    [result] = measure([("staff", "staff.xlsx", bomb)])
    assert result.outcome == (
        "refused: The sheet says it is 1,048,576 rows by 16,384 columns, more than a staff "
        "list can be (at most 10,000 rows). Copy the staff into a new workbook and upload that."
    )
    assert result.peak_mb < 200
    assert result.seconds < 2


def test_sheet_wider_and_longer_than_it_declares_is_read_within_the_caps():
    """A sheet that declares A1:G2 but has a cell in the last column Excel allows, and a
    row a million rows down: read as a staff list, no wider than the known columns plus a
    margin, and no further than the row limit."""
    far_right = [*STAFF_ROWS[1], *([""] * 16376), "x"]
    content = minimal_xlsx([STAFF_ROWS[0], far_right], dimension="A1:G2")
    content_far_down = minimal_xlsx(STAFF_ROWS, dimension="A1:G2").replace(
        b"</sheetData>",
        b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
    )
    results = measure([("staff", "wide.xlsx", content), ("staff", "long.xlsx", content_far_down)])
    assert [r.outcome for r in results] == ["read: 1 rows, 0 problems"] * 2
    assert all(r.peak_mb < 200 and r.seconds < 2 for r in results), results


@pytest.mark.parametrize("width", [len(COLUMNS) + XLSX_EXTRA_COLUMNS + 50])
def test_csv_rows_are_kept_no_wider_than_a_workbooks(width):
    header = ",".join(["email", "first name", "last name", "role", "staff category", "start date"])
    row = "a@b.test,Amy,Patel,staff,teaching,2024-09-01" + "," * width
    staff_file = staff_file_read(content=f"{header}\n{row}\n".encode(), filename="staff.csv")
    assert [r.email for r in staff_file.rows] == ["a@b.test"]


def test_csv_of_blank_lines_is_refused_within_bounds():
    content = b"\n" * 4_000_000 + b"email\n"
    [result] = measure([("staff", "blank.csv", content)])
    assert result.outcome == (
        "refused: The file has 4,000,001 lines, more than a staff list of at most 10,000 rows "
        "can have. Remove the blank lines, or split it into smaller files."
    )
    assert result.peak_mb < 200
    assert result.seconds < 2
