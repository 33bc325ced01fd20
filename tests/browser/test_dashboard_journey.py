"""A DSL's week on the compliance dashboard, at a desktop viewport: filter to who is overdue,
nudge one of them, download the list, and look at a person, the knowledge gaps, bulletins
and training done elsewhere; then a trust admin's overview. Every page gets an axe-core
scan and a 320 px reflow check (see ``support.check_page``)."""

from datetime import datetime, time, timedelta
from io import BytesIO

import pytest
from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from courses.models import Answer, Attempt
from cpd.compliance.records.services import external_record_add
from cpd.models import Bulletin, Membership
from tests.browser.support import DESKTOP, HOME, check_page, path_of, sign_in
from tests.factories import (
    PASSWORD,
    CertificateFactory,
    ChoiceFactory,
    CourseVersionFactory,
    EnrolmentFactory,
    MembershipFactory,
    QuestionFactory,
    RequirementFactory,
    TrustRoleFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HEADER = [
    "Surname", "First name", "Email", "Role", "Staff category", "Job title",
    "Induction: status", "Induction: due or expires",
]  # fmt: skip


@pytest.fixture
def people(transactional_db, school, dsl, other_school):
    """Staff in each state against a 14-day induction requirement: in induction, overdue
    (a deputy DSL, and the DSL themself), up to date; and an overdue person at another school
    who must never show. Three of them have answered a knowledge-check question, two wrongly."""
    today = timezone.localdate()
    version = CourseVersionFactory(course__slug="induction", course__title="Induction")
    RequirementFactory(
        name="Induction", course=version.course, renewal_months=None, induction_days=14
    )
    ada = MembershipFactory(
        school=school, user__first_name="Ada", user__last_name="Lovelace",
        user__email="ada@oakwood.test", staff_category="support", job_title="Cook",
        started_on=today - timedelta(days=3),
    )  # fmt: skip
    ben = MembershipFactory(
        school=school, user__first_name="Ben", user__last_name="Adams",
        user__email="ben@oakwood.test", role=Membership.Role.DEPUTY_DSL,
        started_on=today - timedelta(days=100),
    )  # fmt: skip
    chloe = MembershipFactory(
        school=school, user__first_name="Chloe", user__last_name="Zed",
        user__email="chloe@oakwood.test", started_on=today - timedelta(days=400),
    )  # fmt: skip
    CertificateFactory(
        enrolment__membership=chloe,
        enrolment__course_version=version,
        course=version.course,
        holder_name="Chloe Zed",
        completed_on=today - timedelta(days=390),
        expires_on=None,
    )
    MembershipFactory(
        school=other_school, user__first_name="Olive", user__last_name="Outsider",
        started_on=today - timedelta(days=100),
    )  # fmt: skip

    grooming = CourseVersionFactory(course__title="Recognising grooming")
    question = QuestionFactory(version=grooming, prompt="Which of these is a sign of grooming?")
    ChoiceFactory(question=question, is_correct=True)
    for membership, correct in [(ada, False), (ben, False), (chloe, True)]:
        enrolment = EnrolmentFactory(
            membership=membership, course_version=grooming, status="withdrawn"
        )
        attempt = Attempt.objects.create(
            enrolment=enrolment, number=1, served=[], started_at=timezone.now(),
            submitted_at=timezone.now(), score=0, passed=False,
        )  # fmt: skip
        Answer.objects.create(attempt=attempt, question=question, correct=correct)

    external_record_add(
        membership=ada,
        actor=ada.user,
        title="Level 1 safeguarding",
        provider="County council",
        completed_on=today - timedelta(days=30),
        minutes=90,
    )
    return ada, ben, chloe


def table_rows(page) -> list[list[str]]:
    """Each row of the staff table: the person's name and the status in the last column."""
    return (
        page.get_by_role("table", name="members of staff")
        .locator("tbody tr")
        .evaluate_all(
            """rows => rows.map(row => [
                row.querySelector('th a').textContent.trim(),
                row.querySelector('td:last-child .tag').textContent.replace(/^\\W+/, '').trim(),
            ])"""
        )
    )


def test_dsl_chases_overdue_staff_from_the_dashboard(
    new_page, school, dsl, trust, other_school, people
):
    _, ben, _ = people
    today = timezone.localdate()
    compliance = f"/schools/{school.slug}/compliance/"
    visited = []
    page = new_page(DESKTOP)

    # The header's navigation takes the DSL to their school's dashboard.
    sign_in(page, dsl.user.email, PASSWORD)
    page.wait_for_url(HOME)
    school_link = page.get_by_role("navigation", name="Oakwood Primary School").get_by_role(
        "link", name="Compliance"
    )
    school_link.click()
    page.wait_for_url(f"**{compliance}")
    check_page(page, visited)
    expect(page.get_by_role("heading", level=1)).to_have_text("Safeguarding training compliance")
    expect(school_link).to_have_attribute("aria-current", "page")
    assert sorted(table_rows(page)) == [
        ["Ada Lovelace", "In induction"],
        ["Ben Adams", "Overdue"],
        ["Chloe Zed", "Up to date"],
        ["David Okafor", "Overdue"],
    ]

    # Filter to the overdue: exactly the two overdue people here, by surname.
    page.get_by_label("Status", exact=True).select_option(label="Overdue")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**status=overdue**")
    check_page(page, visited)
    filtered = path_of(page).removesuffix("#staff")
    expect(page.get_by_role("table", name="members of staff")).to_have_accessible_name(
        "2 members of staff"
    )
    assert table_rows(page) == [["Ben Adams", "Overdue"], ["David Okafor", "Overdue"]]

    # A nudge to Ben: one email, to Ben alone, from the DSL; the filtered list comes back.
    assert mail.outbox == []
    page.get_by_role("button", name="Send a reminder to Ben Adams").click()
    expect(page.get_by_role("status")).to_have_text("Reminder sent to Ben Adams.")
    assert path_of(page) == f"{filtered}#person-{ben.pk}"  # back to Ben's row
    assert table_rows(page) == [["Ben Adams", "Overdue"], ["David Okafor", "Overdue"]]
    check_page(page, visited)
    assert [message.to for message in mail.outbox] == [["ben@oakwood.test"]]
    [email] = mail.outbox
    assert email.subject == "A reminder from David Okafor: safeguarding training"
    assert "Induction – Overdue" in email.body

    # The XLSX download holds the filtered rows.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as Excel (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename == f"oakwood-primary-school-compliance-{today}.xlsx"
    sheet = load_workbook(BytesIO(download.path().read_bytes())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows == [
        HEADER,
        [
            "Adams", "Ben", "ben@oakwood.test", "Deputy DSL", "Teaching staff", "Class teacher",
            "Overdue", datetime.combine(ben.started_on + timedelta(days=14), time()),
        ],
        [
            "Okafor", "David", "david@oakwood.test", "Designated safeguarding lead",
            "Teaching staff", "Class teacher", "Overdue", datetime(2020, 9, 15),
        ],
    ]  # fmt: skip
    # Dates are real dates, shown as dates, and every heading has a filter button.
    assert sheet["H2"].is_date and sheet["H2"].number_format == "d mmm yyyy"
    assert sheet.auto_filter.ref == "A1:H3"

    # Ben's whole record.
    page.get_by_role("link", name="Ben Adams", exact=True).click()
    page.wait_for_url(f"**/schools/{school.slug}/people/{ben.pk}/")
    check_page(page, visited)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ben Adams")
    expect(page.locator(".task-list__item")).to_contain_text("Overdue")

    # The questions staff most often get wrong.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Compliance").click()
    page.get_by_role("link", name="Questions staff most often get wrong").click()
    page.wait_for_url(f"**/schools/{school.slug}/knowledge-gaps/")
    check_page(page, visited)
    expect(page.get_by_role("heading", level=2)).to_have_text("Recognising grooming")
    expect(page.locator(".review__item")).to_contain_text("2 of 3 answers wrong (67%)")

    # Bulletins: post one through the form.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Compliance").click()
    page.locator("#main").get_by_role("link", name="Bulletins").click()
    page.wait_for_url(f"**/schools/{school.slug}/bulletins/")
    check_page(page, visited)
    page.get_by_label("Title", exact=True).fill("Online safety this half term")
    page.get_by_label("Update", exact=True).fill("Please re-read **section 4** of the policy.")
    page.get_by_role("button", name="Post to all staff").click()
    expect(page.get_by_role("status")).to_have_text(
        "Bulletin posted. Staff will see it on their training page."
    )
    check_page(page, visited)
    expect(page.locator(".task-list__item")).to_contain_text("Online safety this half term")
    bulletin = Bulletin.objects.get()
    assert (bulletin.school, bulletin.title) == (school, "Online safety this half term")

    # Training done elsewhere, waiting for a decision.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Compliance").click()
    page.locator("#main").get_by_role("link", name="Training done elsewhere").click()
    page.wait_for_url(f"**/schools/{school.slug}/records/")
    check_page(page, visited)
    expect(page.get_by_role("heading", level=2)).to_have_text("Level 1 safeguarding")
    expect(page.get_by_role("group", name="Decision")).to_be_visible()

    assert visited == [
        compliance,
        f"{filtered}#staff",
        f"{filtered}#person-{ben.pk}",
        f"/schools/{school.slug}/people/{ben.pk}/",
        f"/schools/{school.slug}/knowledge-gaps/",
        f"/schools/{school.slug}/bulletins/",
        f"/schools/{school.slug}/bulletins/",
        f"/schools/{school.slug}/records/",
    ]

    # A trust admin reaches the trust overview from the header: this trust's school only.
    admin = TrustRoleFactory(trust=trust)
    trust_page = new_page(DESKTOP)
    sign_in(trust_page, admin.user.email, PASSWORD)
    # A trust admin who belongs to no school lands on the trust's overview.
    trust_page.wait_for_url(f"**/trusts/{trust.slug}/")
    expect(
        trust_page.get_by_role("navigation", name="Menu").get_by_role(
            "link", name="Northfield Learning Trust"
        )
    ).to_have_attribute("aria-current", "page")
    check_page(trust_page, visited)
    expect(trust_page.get_by_role("heading", level=1)).to_have_text("Northfield Learning Trust")
    schools = trust_page.get_by_role("table", name="1 school")
    expect(schools.locator("tbody th")).to_have_text(["Oakwood Primary School"])
    expect(schools.locator("tbody tr td").nth(0)).to_have_text("4")
    assert path_of(trust_page) == f"/trusts/{trust.slug}/"
