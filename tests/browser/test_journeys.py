"""The journeys people take through the site, in headless Chromium, with an axe-core scan and
a 320 px reflow check on every page they visit (see ``support.check_page``)."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from courses import services as learning
from courses.models import Attempt, Choice, Enrolment, Lesson
from courses.selectors import scenario_served
from cpd.compliance.services import requirement_pack_load
from cpd.models import Membership
from tests.browser.support import (
    DESKTOP,
    HOME,
    PHONE,
    assert_focus_visible,
    check_page,
    choose_by_keyboard,
    is_focused,
    sign_in,
    sign_in_by_keyboard,
    tab_to,
)
from tests.factories import PASSWORD, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

COURSE = "safeguarding-induction"
COURSE_TITLE = "Safeguarding induction for new staff, volunteers and governors"


@pytest.fixture
def induction_required(transactional_db, induction):
    """The shipped induction course with the England (KCSIE) default requirements."""
    requirement_pack_load(name="kcsie")
    return induction


def correct_choices(question_id: int) -> set[str]:
    return {
        str(pk)
        for pk in Choice.objects.filter(question_id=question_id, is_correct=True).values_list(
            "pk", flat=True
        )
    }


def correct_values(question_id: int) -> set[str]:
    """The values the open attempt serves the question's correct choices under."""
    [item] = [
        item
        for item in Attempt.objects.get(submitted_at__isnull=True).served
        if item["question"] == question_id
    ]
    return {
        value
        for pk, value in zip(item["choices"], item["values"], strict=True)
        if str(pk) in correct_choices(question_id)
    }


def pass_course(membership: Membership, version) -> None:
    """Take a course through the learning services, as the views do: every lesson, then a
    knowledge check answered correctly."""
    enrolment = learning.enrolment_start(membership=membership, course_version=version)
    for lesson in version.lessons.order_by("position"):
        if lesson.kind == Lesson.Kind.SCENARIO:
            [first] = scenario_served(enrolment_id=enrolment.pk, choices=[lesson.choices.first()])
            learning.scenario_respond(enrolment=enrolment, lesson=lesson, choice=first.value)
        else:
            learning.lesson_complete(enrolment=enrolment, lesson=lesson)
    attempt = learning.attempt_start(enrolment=enrolment)
    answers = {
        item["question"]: [
            value
            for pk, value in zip(item["choices"], item["values"], strict=True)
            if str(pk) in correct_choices(item["question"])
        ]
        for item in attempt.served
    }
    assert learning.attempt_submit(attempt=attempt, answers=answers).passed


def test_staff_member_completes_induction_on_a_phone_by_keyboard(
    new_page, induction_required, school
):
    staff = MembershipFactory(
        school=school,
        user__first_name="Sarah",
        user__last_name="Thompson",
        user__email="sarah@oakwood.test",
        role=Membership.Role.STAFF,
        started_on=timezone.localdate() - timedelta(days=3),
    )
    lessons = list(induction_required.lessons.order_by("position"))
    assert {lesson.kind for lesson in lessons} == {Lesson.Kind.CONTENT, Lesson.Kind.SCENARIO}
    visited = []
    page = new_page(PHONE)

    # Sign in, by keyboard only.
    sign_in_by_keyboard(page, "sarah@oakwood.test", PASSWORD, visited)
    page.wait_for_url(HOME)
    check_page(page, visited)
    # The home page; My training is in the service navigation.
    tab_to(
        page, page.get_by_role("navigation", name="Menu").get_by_role("link", name="My training")
    )
    page.keyboard.press("Enter")
    page.wait_for_url("**/training/")
    check_page(page, visited)

    # My training lists the induction as required, due within the induction period.
    expect(page.get_by_role("heading", level=1)).to_have_text("My training")
    required = page.locator(".task-list__item", has=page.get_by_role("link", name=COURSE_TITLE))
    expect(required).to_contain_text("In induction")
    tab_to(page, page.get_by_role("link", name=COURSE_TITLE))
    page.keyboard.press("Enter")

    page.wait_for_url(f"**/courses/{COURSE}/")
    check_page(page, visited)
    expect(page.get_by_role("heading", level=1)).to_have_text(COURSE_TITLE)
    tab_to(page, page.get_by_role("button", name="Start the course"))
    page.keyboard.press("Enter")

    # Every lesson, by keyboard: reading lessons marked as read; scenarios answered, the
    # first with a response that is not the best one and the second with the best.
    scenarios_seen = 0
    for number, lesson in enumerate(lessons, start=1):
        page.wait_for_url(f"**/courses/{COURSE}/lessons/{lesson.slug}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(lesson.title)
        expect(page.locator(".caption")).to_contain_text(f"Lesson {number} of {len(lessons)}")
        check_page(page, visited)
        if lesson.kind == Lesson.Kind.CONTENT:
            name = "Mark as read and continue" if number < len(lessons) else "Mark as read"
            tab_to(page, page.get_by_role("button", name=name))
            page.keyboard.press("Enter")
            continue

        scenarios_seen += 1
        if scenarios_seen == 1:
            # Asking for feedback before choosing says what is missing, and says it first.
            tab_to(page, page.get_by_role("button", name="See feedback"))
            page.keyboard.press("Enter")
            expect(page.locator(".error-summary")).to_be_focused()
            expect(page.locator(".error-summary")).to_contain_text("Choose what you would do.")
            expect(page.get_by_role("group", name=lesson.prompt)).to_have_accessible_description(
                "Error: Choose what you would do."
            )
            check_page(page, visited)
        choices = list(lesson.choices.order_by("position"))
        wanted = next(c for c in choices if c.is_best == (scenarios_seen > 1))
        [offered] = scenario_served(
            enrolment_id=Enrolment.objects.get(status=Enrolment.Status.IN_PROGRESS).pk,
            choices=[wanted],
        )
        tab_to(page, page.locator("input[name='choice']").first)
        choose_by_keyboard(page, "choice", {offered.value})
        tab_to(page, page.get_by_role("button", name="See feedback"))
        page.keyboard.press("Enter")

        page.wait_for_url(f"**/lessons/{lesson.slug}/#feedback")
        feedback = page.locator("#feedback")
        expect(feedback.get_by_role("heading", level=2)).to_have_text("Feedback on your choice")
        expect(feedback).to_be_focused()  # cpd.js takes the reader to the feedback
        chosen = feedback.locator(".scenario-feedback__item--chosen")
        expect(chosen).to_contain_text(re.sub(r"\s+", " ", wanted.text.strip()))
        expect(chosen).to_contain_text(
            "Best response" if wanted.is_best else "Not the best response"
        )
        expect(chosen).to_contain_text(re.sub(r"\s+", " ", wanted.feedback.strip()))
        check_page(page, visited)
        name = "Back to the course" if number == len(lessons) else "Next"
        tab_to(page, page.locator(".lesson-nav__next"))
        expect(page.locator(".lesson-nav__next")).to_contain_text(name)
        page.keyboard.press("Enter")
    assert scenarios_seen == sum(lesson.kind == "scenario" for lesson in lessons) >= 2

    # Every lesson done: the knowledge check opens from the course page.
    page.wait_for_url(f"**/courses/{COURSE}/")
    expect(page.get_by_text("Not done")).to_have_count(0)
    tab_to(page, page.get_by_role("button", name="Start the knowledge check"))
    page.keyboard.press("Enter")

    page.wait_for_url(f"**/courses/{COURSE}/check/1/")
    check_page(page, visited)
    expect(page.get_by_role("heading", level=1)).to_have_text("Knowledge check: attempt 1")
    names = page.locator("fieldset").evaluate_all(
        "sets => sets.map(s => s.querySelector('input').name)"
    )
    assert len(names) == induction_required.questions_per_attempt
    for name in names:
        question_id = int(name.removeprefix("q"))
        tab_to(page, page.locator(f"input[name='{name}']").first)
        choose_by_keyboard(page, name, correct_values(question_id))
    tab_to(page, page.get_by_role("button", name="Submit answers"))
    page.keyboard.press("Enter")

    page.wait_for_url(f"**/courses/{COURSE}/check/1/result/")
    check_page(page, visited)
    expect(page.get_by_role("heading", level=1)).to_have_text("You passed")
    expect(page.get_by_text("Your score: 100%")).to_be_visible()
    expect(page.locator(".review__item .tag")).to_have_text(["✓ Correct"] * len(names))

    # The certificate PDF, downloaded by keyboard.
    download_link = page.get_by_role("link", name="Download your certificate (PDF)")
    tab_to(page, download_link)
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    assert re.fullmatch(r"CPD-\d{4}-\d{6}\.pdf", download.suggested_filename)
    data = download.path().read_bytes()
    assert data.startswith(b"%PDF")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages).split())
    assert "Sarah Thompson" in text
    assert COURSE_TITLE in text

    # The certificate's own page, then its public verification page.
    page.keyboard.press("Shift+Tab")
    view_link = page.get_by_role("link", name="View your certificate")
    assert is_focused(view_link)
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url("**/certificates/CPD-*/")
    check_page(page, visited)
    expect(page.get_by_role("heading", level=1)).to_have_text(COURSE_TITLE)
    expect(page.locator(".summary-list")).to_contain_text("Sarah Thompson")
    expect(page.locator(".summary-list")).to_contain_text("Valid")
    verify_href = page.get_by_role("link", name="its verification page").get_attribute("href")
    certificate = staff.certificates.get()
    assert verify_href == f"/verify/{certificate.verification_code}/"
    assert Enrolment.objects.get(membership=staff).status == Enrolment.Status.COMPLETED

    page.goto("/training/")
    expect(required).to_contain_text("Up to date")

    # Anyone, signed out, can check the certificate; an unknown code is a clear 404 page.
    public = new_page(PHONE)
    response = public.goto(verify_href)
    assert response.status == 200
    check_page(public, visited)
    expect(public.get_by_role("heading", level=1)).to_have_text("Certificate check")
    expect(public.locator(".verdict__title")).to_have_text("Valid: does not expire")
    expect(public.locator(".summary-list")).to_contain_text("Sarah Thompson")
    expect(public.locator(".summary-list")).to_contain_text(COURSE_TITLE)
    expect(public.locator(".summary-list")).to_contain_text(certificate.serial)

    response = public.goto("/verify/no-such-code/")
    assert response.status == 404
    check_page(public, visited)
    expect(public.get_by_role("heading", level=1)).to_have_text("Certificate not found")

    lesson_pages = [p for p in visited if "/lessons/" in p]
    # Each lesson, each scenario again with its feedback, and the first one once refused.
    assert len(lesson_pages) == len(lessons) + scenarios_seen + 1
    assert len(visited) == len(lesson_pages) + 9  # the home page too


def test_dsl_sees_each_staff_members_status_on_the_compliance_page(
    new_page, induction_required, school, dsl
):
    today = timezone.localdate()
    passed = MembershipFactory(
        school=school,
        user__first_name="Sarah",
        user__last_name="Thompson",
        started_on=today - timedelta(days=3),
    )
    pass_course(passed, induction_required)
    MembershipFactory(
        school=school,
        user__first_name="Priya",
        user__last_name="Shah",
        job_title="Teaching assistant",
        started_on=today - timedelta(days=2),
    )
    MembershipFactory(
        school=school,
        user__first_name="Tom",
        user__last_name="Ellis",
        job_title="Site manager",
        staff_category=Membership.StaffCategory.SUPPORT,
        started_on=today - timedelta(days=60),
    )
    visited = []
    page = new_page(DESKTOP)

    # A form sent empty, then a wrong password: each error is summarised, focused, and tied
    # to its field.
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    email = page.get_by_label("Email address")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description("Error: Enter your email address.")
    check_page(page, visited)
    email.fill(dsl.user.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(summary).to_contain_text("Enter the email address and password for your account.")
    check_page(page, visited)

    sign_in(page, dsl.user.email, PASSWORD)
    page.wait_for_url(HOME)
    response = page.goto(f"/schools/{school.slug}/compliance/")
    assert response.status == 200
    check_page(page, visited)

    expect(page.get_by_role("heading", level=1)).to_have_text("Safeguarding training compliance")
    staff_table = page.get_by_role("table", name="4 members of staff")
    expect(staff_table.locator("thead th")).to_have_text(["Name", "Role", "Safeguarding induction"])
    rows = staff_table.locator("tbody tr").evaluate_all(
        """rows => rows.map(row => [
            row.querySelector('th').firstChild.textContent.trim(),
            row.querySelector('td:last-child .tag').textContent.replace(/^\\W+/, '').trim(),
        ])"""
    )
    assert sorted(rows) == [
        ["David Okafor", "Overdue"],
        ["Priya Shah", "In induction"],
        ["Sarah Thompson", "Up to date"],
        ["Tom Ellis", "Overdue"],
    ]
    # The table scrolls inside its own labelled region, which a keyboard user can reach to
    # scroll it; the page itself does not scroll sideways (check_page, at 320 px).
    region = page.get_by_role("region", name="4 members of staff")
    expect(region.get_by_role("table")).to_have_count(1)
    tab_to(page, region)
    assert visited == ["/accounts/login/"] * 2 + [f"/schools/{school.slug}/compliance/"]
