"""Staff import: reading files, the preview, applying, invitations, and the web pages."""

import io
import re
from datetime import date, datetime

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from cpd.errors import Conflict
from cpd.models import AuditEvent, Membership
from cpd.people.imports.applying import staff_file_apply
from cpd.people.imports.planning import staff_import_plan
from cpd.people.imports.reading import staff_file_read
from cpd.people.imports.rows import Problem, StaffImportError, StaffRow, StaffRowForm
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
ON = date(2026, 3, 2)
HEADER = "email,first name,last name,role,staff category,job title,start date,leaving date"
WELL_FORMED = (
    HEADER + "\n"
    "amy.patel@oakwood.test,Amy,Patel,staff,teaching,Class teacher,2024-09-01,\n"
    "ben.ward@oakwood.test,Ben,Ward,dsl,support,Family support worker,01/09/2021,\n"
)


def snapshot():
    """Everything an import could write, to show that a refused one wrote nothing."""
    return (
        list(User.objects.order_by("pk").values_list("email", "first_name", "last_name")),
        list(
            Membership.objects.order_by("pk").values_list(
                "user__email", "school_id", "role", "staff_category", "job_title", "left_on"
            )
        ),
        AuditEvent.objects.count(),
    )


def preview(school, content: bytes, *, full_sync=False, actor=None) -> dict:
    staff_file = staff_file_read(content=content, filename="staff.csv")
    plan = staff_import_plan(
        school=school, staff_file=staff_file, full_sync=full_sync, on=ON, actor=actor
    )
    data = plan.as_dict()
    del data["fingerprint"], data["sha256"]
    return data


def read_problems(content: bytes) -> list[Problem]:
    try:
        staff_file = staff_file_read(content=content, filename="staff.csv")
    except StaffImportError as exc:
        return exc.problems
    return staff_file.problems


def refused_without_writing(school, content: bytes) -> list[Problem]:
    before = snapshot()
    with pytest.raises(StaffImportError) as caught:
        staff_file_apply(school=school, content=content, filename="staff.csv", on=ON)
    assert snapshot() == before
    assert mail.outbox == []
    return caught.value.problems


AMY = {
    "row": 2,
    "email": "amy.patel@oakwood.test",
    "first_name": "Amy",
    "last_name": "Patel",
    "role": "staff",
    "staff_category": "teaching",
    "job_title": "Class teacher",
    "started_on": "2024-09-01",
    "left_on": None,
}
BEN = {
    "row": 3,
    "email": "ben.ward@oakwood.test",
    "first_name": "Ben",
    "last_name": "Ward",
    "role": "dsl",
    "staff_category": "support",
    "job_title": "Family support worker",
    "started_on": "2021-09-01",
    "left_on": None,
}


def test_import_well_formed_file_previews_every_person_as_an_add(school):
    assert preview(school, WELL_FORMED.encode()) == {
        "school": "oakwood-primary",
        "filename": "staff.csv",
        "full_sync": False,
        "counts": {"adds": 2, "updates": 0, "unchanged": 0, "leavers": 0, "errors": 0},
        "adds": [AMY, BEN],
        "updates": [],
        "unchanged": [],
        "leavers": [],
        "errors": [],
    }


def test_import_dry_run_writes_nothing(school):
    before = snapshot()
    preview(school, WELL_FORMED.encode())
    assert snapshot() == before


def test_import_apply_creates_people_invites_them_and_records_one_event(
    school, django_capture_on_commit_callbacks
):
    admin = MembershipFactory(school=school, role=Membership.Role.SCHOOL_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        plan = staff_file_apply(
            school=school, content=WELL_FORMED.encode(), filename="staff.csv", actor=admin.user
        )
    assert [r.email for r in plan.adds] == ["amy.patel@oakwood.test", "ben.ward@oakwood.test"]
    assert list(
        Membership.objects.filter(school=school)
        .exclude(pk=admin.pk)
        .order_by("user__email")
        .values_list(
            "user__email",
            "user__first_name",
            "user__last_name",
            "role",
            "staff_category",
            "job_title",
            "started_on",
            "left_on",
        )
    ) == [
        (
            "amy.patel@oakwood.test",
            "Amy",
            "Patel",
            "staff",
            "teaching",
            "Class teacher",
            date(2024, 9, 1),
            None,
        ),
        (
            "ben.ward@oakwood.test",
            "Ben",
            "Ward",
            "dsl",
            "support",
            "Family support worker",
            date(2021, 9, 1),
            None,
        ),
    ]
    amy = User.objects.get(email="amy.patel@oakwood.test")
    assert amy.has_usable_password() is False
    assert sorted(m.to[0] for m in mail.outbox) == [
        "amy.patel@oakwood.test",
        "ben.ward@oakwood.test",
    ]
    message = next(m for m in mail.outbox if m.to == ["amy.patel@oakwood.test"])
    assert message.subject == "Oakwood Primary School has added you to Safeguarding CPD"
    link = re.search(
        r"https://cpd\.example\.org/accounts/password/reset/key/\S+/", message.body
    ).group(0)
    assert "Oakwood Primary School uses Safeguarding CPD" in message.body

    [event] = AuditEvent.objects.filter(action="cpd.staff.imported")
    assert (event.actor, event.school, event.target_id) == (admin.user, school, str(school.pk))
    assert event.data == {
        "filename": "staff.csv",
        "sha256": plan.sha256,
        "full_sync": False,
        "added": ["amy.patel@oakwood.test", "ben.ward@oakwood.test"],
        "updated": {},
        "left": [],
        "unchanged": 0,
    }

    # The link sets a password, and then signs them in.
    from django.test import Client

    client = Client()
    page = client.get(link, follow=True)
    assert page.status_code == 200
    response = client.post(
        page.redirect_chain[-1][0],
        {"password1": "a-long-new-passphrase", "password2": "a-long-new-passphrase"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/key/done/"
    assert client.login(username="amy.patel@oakwood.test", password="a-long-new-passphrase")


def test_import_applying_the_same_file_twice_changes_nothing_the_second_time(
    school, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff_file_apply(school=school, content=WELL_FORMED.encode(), on=ON)
    mail.outbox = []
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        plan = staff_file_apply(school=school, content=WELL_FORMED.encode(), on=ON)
    assert (len(plan.adds), len(plan.updates), len(plan.unchanged), len(plan.leavers)) == (
        0,
        0,
        2,
        0,
    )
    users, memberships, events = snapshot()
    assert (users, memberships) == before[:2]
    assert events == before[2] + 1  # the second import is recorded, and changed nothing
    assert mail.outbox == []


def test_import_update_lists_the_changed_fields(school, django_capture_on_commit_callbacks):
    MembershipFactory(
        school=school,
        user__email="Amy.Patel@oakwood.test",
        user__first_name="Amy",
        user__last_name="Smith",
        role=Membership.Role.STAFF,
        staff_category=Membership.StaffCategory.SUPPORT,
        job_title="Class teacher",
        started_on=date(2024, 9, 1),
    )
    data = preview(school, WELL_FORMED.encode())
    assert data["counts"] == {"adds": 1, "updates": 1, "unchanged": 0, "leavers": 0, "errors": 0}
    assert data["updates"] == [
        {
            "row": 2,
            "email": "amy.patel@oakwood.test",
            "membership": Membership.objects.get(user__email="Amy.Patel@oakwood.test").pk,
            "changes": [
                {"field": "last_name", "column": "last name", "old": "Smith", "new": "Patel"},
                {
                    "field": "staff_category",
                    "column": "staff category",
                    "old": "support",
                    "new": "teaching",
                },
            ],
        }
    ]
    with django_capture_on_commit_callbacks(execute=True):
        staff_file_apply(school=school, content=WELL_FORMED.encode(), on=ON)
    amy = Membership.objects.select_related("user").get(user__email="Amy.Patel@oakwood.test")
    assert (amy.last_name, amy.staff_category) == ("Patel", "teaching")
    # The school's name for her changes; her account's own name is hers alone.
    assert amy.user.last_name == "Smith"
    # Amy already had an account: only Ben is invited.
    assert [m.to for m in mail.outbox] == [["ben.ward@oakwood.test"]]


def test_import_utf8_with_bom_reads_the_first_column(school):
    content = WELL_FORMED.encode("utf-8-sig")
    assert content.startswith(b"\xef\xbb\xbf")
    assert preview(school, content)["adds"] == [AMY, BEN]


def test_import_windows_1252_keeps_accented_names(school):
    text = HEADER + "\nzoe@oakwood.test,Zoë,Brontë,staff,teaching,Teacher,2024-09-01,\n"
    content = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    [add] = preview(school, content)["adds"]
    assert (add["first_name"], add["last_name"]) == ("Zoë", "Brontë")


def test_import_semicolon_separated_with_friendly_headers_and_labels(school):
    content = (
        b"Email Address;First_Name;Surname;Role;Staff Category;Job Title;Start Date\n"
        b"amy.patel@oakwood.test;Amy;Patel;Staff;Teaching staff;Class teacher;2024-09-01\n"
        b"ben.ward@oakwood.test;Ben;Ward;Designated safeguarding lead;support;"
        b"Family support worker;01/09/2021\n"
    )
    assert preview(school, content)["adds"] == [AMY, BEN]


def test_import_xlsx_file(school):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(
        [
            "amy.patel@oakwood.test",
            "Amy",
            "Patel",
            "staff",
            "teaching",
            "Class teacher",
            date(2024, 9, 1),
        ]
    )
    sheet.append(
        [
            "ben.ward@oakwood.test",
            "Ben",
            "Ward",
            "dsl",
            "support",
            "Family support worker",
            "01/09/2021",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert preview(school, buffer.getvalue())["adds"] == [AMY, BEN]


def test_import_missing_required_column_names_it(school):
    content = (
        b"email,first name,last name,role,job title,start date\n"
        b"amy.patel@oakwood.test,Amy,Patel,staff,Class teacher,2024-09-01\n"
    )
    expected = [
        Problem(
            1,
            "staff category",
            'The "staff category" column is missing. The first row must name the columns; '
            "these are needed: email, first name, last name, role, staff category, start date.",
        )
    ]
    assert read_problems(content) == expected
    assert refused_without_writing(school, content) == expected


def test_import_duplicate_emails_name_both_rows(school):
    content = (
        WELL_FORMED + "AMY.PATEL@oakwood.test,Amy,Patel,staff,teaching,TA,2024-09-01,\n"
    ).encode()
    expected = [
        Problem(4, "email", "amy.patel@oakwood.test is also on row 2. List each person once.")
    ]
    assert read_problems(content) == expected
    assert refused_without_writing(school, content) == expected
    assert str(expected[0]) == (
        "Row 4, email: amy.patel@oakwood.test is also on row 2. List each person once."
    )


def test_import_invalid_date_names_row_column_and_value(school):
    content = (HEADER + "\namy.patel@oakwood.test,Amy,Patel,staff,teaching,,31/02/2024,\n").encode()
    expected = [
        Problem(
            2,
            "start date",
            '"31/02/2024" is not a date. Use YYYY-MM-DD or DD/MM/YYYY, for example '
            "2024-09-01 or 01/09/2024.",
        )
    ]
    assert read_problems(content) == expected
    assert refused_without_writing(school, content) == expected


def test_import_unknown_role_lists_the_allowed_values(school):
    content = (
        HEADER + "\namy.patel@oakwood.test,Amy,Patel,Headteacher,teaching,,2024-09-01,\n"
    ).encode()
    expected = [
        Problem(
            2,
            "role",
            '"Headteacher" is not a role. Use one of: staff (Staff), dsl (Designated '
            "safeguarding lead), deputy_dsl (Deputy DSL), school_admin (School admin).",
        )
    ]
    assert read_problems(content) == expected
    assert refused_without_writing(school, content) == expected


def test_import_formula_like_names_are_refused(school):
    content = (
        HEADER + "\n"
        'amy.patel@oakwood.test,"=HYPERLINK(""http://x"")",Patel,staff,teaching,,2024-09-01,\n'
        "ben.ward@oakwood.test,Ben,@SUM(A1),staff,teaching,+44 job,2024-09-01,\n"
    ).encode()
    formula = (
        '"%s" starts with "%s", which spreadsheet programs treat as a formula. Remove it, '
        "or correct the value, and upload the file again."
    )
    expected = [
        Problem(2, "first name", formula % ('=HYPERLINK("http://x")', "=")),
        Problem(3, "last name", formula % ("@SUM(A1)", "@")),
        Problem(3, "job title", formula % ("+44 job", "+")),
    ]
    assert read_problems(content) == expected
    assert refused_without_writing(school, content) == expected


def test_import_collects_every_problem_in_every_row(school):
    content = (
        HEADER + "\n"
        "not-an-email,,Patel,staff,cook,,2024-09-01,2024-01-01\n"
        "\n"
        "ben.ward@oakwood.test,Ben,Ward,,teaching,,2024-09-01,\n"
    ).encode()
    assert read_problems(content) == [
        Problem(2, "email", '"not-an-email" is not an email address.'),
        Problem(2, "first name", "Enter a first name."),
        Problem(
            2,
            "staff category",
            '"cook" is not a staff category. Use one of: teaching (Teaching staff), support '
            "(Support staff), governor (Governor), volunteer (Volunteer), contractor "
            "(Contractor), supply (Supply staff).",
        ),
        Problem(
            2, "leaving date", "The leaving date 2024-01-01 is before the start date 2024-09-01."
        ),
    ]
    # Blank rows are skipped; an empty role means staff.
    assert staff_file_read(content=content).rows[0].role == "staff"


def test_staff_row_form_reads_excel_values_and_labels():
    form = StaffRowForm(
        {
            "email": " Amy.Patel@Oakwood.TEST ",
            "first_name": "Amy",
            "last_name": "Patel  Jones",
            "role": "designated safeguarding LEAD",
            "staff_category": "Teaching staff",
            "job_title": 3.0,
            "started_on": datetime(2024, 9, 1, 0, 0),
            "left_on": "31/08/2026",
        },
        row=7,
    )
    assert form.problems == []
    assert form.staff_row() == StaffRow(
        row=7,
        email="amy.patel@oakwood.test",
        first_name="Amy",
        last_name="Patel Jones",
        role="dsl",
        staff_category="teaching",
        job_title="3",
        started_on=date(2024, 9, 1),
        left_on=date(2026, 8, 31),
    )


def test_staff_row_form_reports_every_problem_in_a_cell():
    form = StaffRowForm(
        {
            "email": "amy.patel@oakwood.test",
            "first_name": "=" + "x" * 150,
            "last_name": "Patel",
            "staff_category": "teaching",
            "started_on": "2024-09-01",
        },
        row=5,
    )
    assert form.problems == [
        Problem(
            5,
            "first name",
            '"=%s" starts with "=", which spreadsheet programs treat as a formula. Remove it, '
            "or correct the value, and upload the file again." % ("x" * 150),
        ),
        Problem(5, "first name", "This is longer than 150 characters."),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (HEADER.encode(), "The file has a header row but no staff in it."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "Old Excel files (.xls) cannot be read."),
        (b"PK\x03\x04broken", "This file could not be read as an Excel workbook (.xlsx)."),
        (
            "email,name\n".encode("utf-16"),
            "This file could not be read as text: it contains NUL bytes (line 1), so it is "
            "not a CSV file.",
        ),
        (
            "email,first name\nzoë@oakwood.test,Zoë\n".encode()
            + "x@y.test,Brontë\n".encode("cp1252"),
            "This file could not be read as text: it mixes text encodings (line 2 is UTF-8, "
            "line 3 is not).",
        ),
    ],
)
def test_import_unreadable_files_are_refused_with_a_reason(school, content, message):
    problems = refused_without_writing(school, content)
    assert len(problems) == 1
    assert problems[0].message.startswith(message)


def test_import_full_sync_proposes_leavers_and_marks_them_only_when_confirmed(
    school, django_capture_on_commit_callbacks
):
    admin = MembershipFactory(school=school, role=Membership.Role.SCHOOL_ADMIN)
    gone = MembershipFactory(
        school=school, user__email="gone@oakwood.test", user__first_name="Gail",
        user__last_name="Gone",
    )  # fmt: skip
    MembershipFactory(school=school, left_on=date(2025, 7, 31))  # already left: not proposed
    data = preview(school, WELL_FORMED.encode(), full_sync=True, actor=admin.user)
    assert data["leavers"] == [
        {
            "membership": gone.pk,
            "email": "gone@oakwood.test",
            "name": "Gail Gone",
            "left_on": "2026-03-02",
        }
    ]
    before = snapshot()
    with pytest.raises(StaffImportError) as caught:
        staff_file_apply(
            school=school, content=WELL_FORMED.encode(), full_sync=True, actor=admin.user, on=ON
        )
    assert caught.value.problems == [
        Problem(
            None,
            None,
            "1 current members of staff are not in the file. Confirm that they have left, "
            "or import without full sync.",
        )
    ]
    assert snapshot() == before
    with django_capture_on_commit_callbacks(execute=True):
        staff_file_apply(
            school=school,
            content=WELL_FORMED.encode(),
            full_sync=True,
            confirm_leavers=True,
            actor=admin.user,
            on=ON,
        )
    gone.refresh_from_db()
    admin.refresh_from_db()
    assert (gone.left_on, admin.left_on) == (ON, None)
    [event] = AuditEvent.objects.filter(action="cpd.staff.imported")
    assert event.data["left"] == ["gone@oakwood.test"]


def test_import_refuses_a_plan_that_changed_since_the_preview(school):
    staff_file = staff_file_read(content=WELL_FORMED.encode())
    plan = staff_import_plan(school=school, staff_file=staff_file, full_sync=False, on=ON)
    MembershipFactory(school=school, user__email="amy.patel@oakwood.test")
    before = snapshot()
    with pytest.raises(Conflict) as caught:
        staff_file_apply(
            school=school,
            content=WELL_FORMED.encode(),
            on=ON,
            expected_fingerprint=plan.fingerprint,
        )
    assert (caught.value.status, caught.value.code) == (409, "stale_preview")
    assert caught.value.message.startswith("The school's staff list changed")
    assert snapshot() == before


def test_import_adds_a_person_from_another_school_without_renaming_them(school, other_school):
    elsewhere = MembershipFactory(
        school=other_school, user__email="amy.patel@oakwood.test", user__first_name="Amelia"
    )
    staff_file_apply(school=school, content=WELL_FORMED.encode(), on=ON)
    elsewhere.user.refresh_from_db()
    assert elsewhere.user.first_name == "Amelia"
    assert Membership.objects.filter(user=elsewhere.user).count() == 2


# -- the web pages -------------------------------------------------------------------------


@pytest.fixture
def school_admin(school):
    return MembershipFactory(
        school=school,
        role=Membership.Role.SCHOOL_ADMIN,
        user__email="head@oakwood.test",
        user__first_name="Hana",
        user__last_name="Head",
        started_on=date(2019, 9, 1),
    )


def upload(client, school, content: bytes, *, full_sync=False, name="staff.csv"):
    data = {"file": io.BytesIO(content)}
    data["file"].name = name
    if full_sync:
        data["full_sync"] = "on"
    return client.post(f"/schools/{school.slug}/staff/import/", data)


def test_staff_import_page_upload_preview_confirm(
    sign_in, school, school_admin, django_capture_on_commit_callbacks
):
    client = sign_in(school_admin)
    assert client.get(f"/schools/{school.slug}/staff/import/").status_code == 200
    response = upload(client, school, WELL_FORMED.encode())
    assert response.status_code == 302
    preview_url = response["Location"]
    assert re.fullmatch(r"/schools/oakwood-primary/staff/import/[0-9a-f-]{36}/", preview_url)
    page = client.get(preview_url)
    body = page.content.decode()
    assert "People to add" in body and "amy.patel@oakwood.test" in body
    assert Membership.objects.filter(school=school).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(preview_url, follow=True)
    assert response.redirect_chain == [(f"/schools/{school.slug}/staff/", 302)]
    assert (
        "Staff imported: 2 added, 0 updated, 0 marked as leavers, 0 unchanged."
        in response.content.decode()
    )
    assert Membership.objects.filter(school=school).count() == 3
    assert len(mail.outbox) == 2
    # The stored file is gone: confirming again does nothing more.
    again = client.post(preview_url)
    assert again["Location"] == f"/schools/{school.slug}/staff/import/"
    assert Membership.objects.filter(school=school).count() == 3


def test_staff_import_page_shows_row_errors_and_offers_no_confirm(sign_in, school, school_admin):
    client = sign_in(school_admin)
    content = (HEADER + "\namy.patel@oakwood.test,Amy,Patel,boss,teaching,,2024-09-01,\n").encode()
    page = client.get(upload(client, school, content)["Location"])
    body = page.content.decode()
    assert "The file has 1 problem" in body
    assert "Row 2, role: &quot;boss&quot; is not a role." in body
    assert "Import these changes" not in body
    before = snapshot()
    client.post(page.wsgi_request.path)
    assert snapshot() == before


def test_staff_import_page_missing_column_is_a_form_error(sign_in, school, school_admin):
    client = sign_in(school_admin)
    response = upload(client, school, b"email,first name\nx@y.test,X\n")
    assert response.status_code == 200
    assert "Row 1, last name: The &quot;last name&quot; column is missing." in (
        response.content.decode()
    )


def test_staff_import_page_full_sync_requires_confirming_leavers(
    sign_in, school, school_admin, staff
):
    client = sign_in(school_admin)
    preview_url = upload(client, school, WELL_FORMED.encode(), full_sync=True)["Location"]
    assert "Sarah Thompson (sarah@oakwood.test)" in client.get(preview_url).content.decode()
    response = client.post(preview_url)
    assert response.status_code == 200
    assert "Confirm that the leavers have left" in response.content.decode()
    staff.refresh_from_db()
    assert staff.left_on is None
    response = client.post(preview_url, {"confirm_leavers": "on"})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.left_on is not None


def test_staff_import_preview_belongs_to_its_session_and_school(
    sign_in, client, school, school_admin, other_school
):
    client = sign_in(school_admin)
    preview_url = upload(client, school, WELL_FORMED.encode())["Location"]
    other_admin = MembershipFactory(school=other_school, role=Membership.Role.SCHOOL_ADMIN)
    client.logout()
    sign_in(other_admin)
    # Another school's admin cannot reach this school at all.
    assert client.get(preview_url).status_code == 404


@pytest.mark.parametrize(
    ("role", "list_status", "import_status"),
    [
        (Membership.Role.STAFF, 200, 403),
        (Membership.Role.DSL, 200, 403),
        (Membership.Role.DEPUTY_DSL, 200, 403),
        (Membership.Role.SCHOOL_ADMIN, 200, 200),
    ],
)
def test_staff_pages_by_role(sign_in, school, role, list_status, import_status):
    member = MembershipFactory(school=school, role=role)
    client = sign_in(member)
    assert client.get(f"/schools/{school.slug}/staff/").status_code == list_status
    assert client.get(f"/schools/{school.slug}/staff/import/").status_code == import_status


def test_staff_list_shows_only_this_schools_people(sign_in, school, school_admin, other_school):
    MembershipFactory(school=other_school, user__email="elsewhere@hillside.test")
    MembershipFactory(school=school, user__email="current@oakwood.test")
    MembershipFactory(school=school, user__email="left@oakwood.test", left_on=date(2025, 1, 1))
    client = sign_in(school_admin)
    body = client.get(f"/schools/{school.slug}/staff/").content.decode()
    assert "current@oakwood.test" in body
    assert "left@oakwood.test" not in body
    assert "elsewhere@hillside.test" not in body
    leavers = client.get(f"/schools/{school.slug}/staff/?show=leavers").content.decode()
    assert "left@oakwood.test" in leavers and "current@oakwood.test" not in leavers
    assert client.get(f"/schools/{other_school.slug}/staff/").status_code == 404


def test_trust_admin_manages_staff_of_the_trusts_schools(sign_in, school, trust, other_school):
    from tests.factories import TrustRoleFactory

    trust_admin = TrustRoleFactory(trust=trust, user=UserFactory())
    client = sign_in(trust_admin.user)
    assert client.get(f"/schools/{school.slug}/staff/import/").status_code == 200
    assert client.get(f"/schools/{other_school.slug}/staff/import/").status_code == 404


def test_invitation_offers_the_single_sign_on_the_schools_trust_uses(school, trust):
    from cpd.models import SignInPolicy
    from cpd.people.imports.invitations import staff_invitation_message

    SignInPolicy.objects.create(trust=trust, providers="microsoft, google")
    member = MembershipFactory(school=school, user__email="amy.patel@oakwood.test")
    body = staff_invitation_message(membership=member).body
    assert (
        "Or sign in with your school account (Google or Microsoft), with no password to "
        "choose: https://cpd.example.org/accounts/login/"
    ) in body
    assert re.search(r"https://cpd\.example\.org/accounts/password/reset/key/\w+-\S+/", body)


def test_invitation_without_single_sign_on_offers_only_a_password(school):
    from cpd.people.imports.invitations import staff_invitation_message

    member = MembershipFactory(school=school, user__email="amy.patel@oakwood.test")
    assert "school account" not in staff_invitation_message(membership=member).body
