"""Journeys of Deliver 2 and 6: renewing a due-soon course from My training to a new
certificate, reading a lesson after passing, the course page after a failed attempt saying
when the next one opens, and marking a leaver with a confirmation, then restoring them. An
axe-core scan and a 320 px reflow check on every page (``support.check_page``)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from certificates.models import Certificate
from cpd.dates import add_months
from cpd.models import Membership
from tests.browser.support import DESKTOP, HOME, PHONE, check_page, sign_in
from tests.courses.test_assessment import ready_enrolment
from tests.factories import (
    PASSWORD,
    CertificateFactory,
    ChoiceFactory,
    CourseVersionFactory,
    LessonFactory,
    MembershipFactory,
    ModuleFactory,
    QuestionFactory,
    RequirementFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TITLE = "Annual safeguarding update"
BODY = 'What changed this year.\n\n!!! what-to-do "What to do"\n    Tell the DSL the same day.\n'


def make_version(course=None, *, number=1, cooldown=timedelta(minutes=30)):
    """A version with one reading lesson (with a "What to do" callout) and two questions,
    both served in every attempt, whose right answers say so."""
    extra = {"course": course} if course else {"course__title": TITLE, "course__slug": "annual"}
    version = CourseVersionFactory(
        number=number, title=TITLE, questions_per_attempt=2, max_attempts=3, pass_mark=100,
        retry_cooldown=cooldown, **extra,
    )  # fmt: skip
    module = ModuleFactory(version=version, title="This year's changes")
    LessonFactory(
        module=module, version=version, slug="what-changed", title=f"What changed (v{number})",
        body=BODY,
    )  # fmt: skip
    for n in (1, 2):
        question = QuestionFactory(version=version, module=module, prompt=f"Question {n}?")
        ChoiceFactory(question=question, text=f"Right answer {n}", is_correct=True)
        ChoiceFactory(question=question, text=f"Wrong answer {n}", is_correct=False)
    return version


@pytest.fixture
def teacher(transactional_db, school, media):
    return MembershipFactory(
        school=school, user__first_name="Sarah", user__last_name="Thompson",
        user__email="sarah@oakwood.test", role=Membership.Role.STAFF, started_on=date(2020, 9, 1),
    )  # fmt: skip


def answer(page, *, right: bool) -> None:
    for n in (1, 2):
        page.get_by_label(f"{'Right' if right else 'Wrong'} answer {n}").check()
    page.get_by_role("button", name="Submit answers").click()


def test_renewing_a_due_soon_course_from_my_training_gives_a_new_certificate(
    new_page, teacher, django_capture_on_commit_callbacks
):
    old = make_version()
    RequirementFactory(course=old.course, renewal_months=12, due_soon_days=30)
    today = timezone.localdate()
    completed = add_months(today, -12) + timedelta(days=20)  # runs out in 20 days: due soon
    first = CertificateFactory(
        enrolment__membership=teacher, enrolment__course_version=old, completed_on=completed,
        expires_on=add_months(completed, 12), holder_name="Sarah Thompson",
    )  # fmt: skip
    current = make_version(old.course, number=2)
    visited = []
    page = new_page(PHONE)
    sign_in(page, teacher.user.email, PASSWORD)
    page.wait_for_url(HOME)
    check_page(page, visited)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="My training").click()
    page.wait_for_url("**/training/")
    check_page(page, visited)
    line = page.locator(".task-list__item", has=page.get_by_role("link", name=TITLE))
    expect(line).to_contain_text("Due soon — up to date until")
    line.get_by_role("button", name="Renew now").click()

    # The renewal is on the current version.
    page.wait_for_url("**/courses/annual/lessons/what-changed/")
    check_page(page, visited)
    expect(page.get_by_role("heading", level=1)).to_have_text("What changed (v2)")
    page.get_by_role("button", name="Mark as read").click()
    page.wait_for_url("**/courses/annual/")
    check_page(page, visited)
    expect(page.locator("#attempts-left")).to_have_text(
        "You have 3 attempts left. If you do not pass, you can try again 30 minutes later."
    )
    page.get_by_role("button", name="Start the knowledge check").click()
    page.wait_for_url("**/courses/annual/check/1/")
    check_page(page, visited)
    answer(page, right=True)
    page.wait_for_url("**/courses/annual/check/1/result/")
    check_page(page, visited)
    expect(page.get_by_role("heading", level=1)).to_have_text("You passed")
    renewed = Certificate.objects.exclude(pk=first.pk).get()
    assert (renewed.membership, renewed.enrolment.course_version) == (teacher, current)
    page.get_by_role("link", name="View your certificate").click()
    page.wait_for_url(f"**/certificates/{renewed.serial}/")
    check_page(page, visited)
    page.goto("/training/")
    line = page.locator(".task-list__item", has=page.get_by_role("link", name=TITLE))
    expect(line).to_contain_text(f"Up to date until {renewed.expires_on:%-d %B %Y}")
    assert len(visited) == 7


def test_reading_a_lesson_after_passing(new_page, teacher):
    version = make_version()
    CertificateFactory(enrolment__membership=teacher, enrolment__course_version=version)
    visited = []
    page = new_page(PHONE)
    sign_in(page, teacher.user.email, PASSWORD)
    page.wait_for_url(HOME)
    page.goto("/courses/annual/")
    check_page(page, visited)
    expect(page.get_by_role("heading", name="You have completed this course")).to_be_visible()
    page.get_by_role("link", name="What changed (v1)").click()
    page.wait_for_url("**/courses/annual/lessons/what-changed/")
    check_page(page, visited)
    expect(page.locator(".prose")).to_contain_text("What changed this year.")
    expect(page.get_by_role("status")).to_contain_text("Nothing is recorded while you read.")
    expect(page.get_by_role("button", name="Mark as read")).to_have_count(0)
    page.get_by_role("link", name="Back to the course").click()
    page.get_by_role("link", name="What to do: the steps from every lesson on one page").click()
    page.wait_for_url("**/courses/annual/what-to-do/")
    check_page(page, visited)
    expect(page.locator(".what-to-do-summary h2")).to_have_text(["What changed (v1)"])
    expect(page.locator(".what-to-do-summary .prose")).to_have_text(["Tell the DSL the same day."])


def test_failed_attempt_then_the_course_page_says_when_the_next_attempt_opens(new_page, teacher):
    version = make_version()
    ready_enrolment(version, membership=teacher)
    visited = []
    page = new_page(PHONE)
    sign_in(page, teacher.user.email, PASSWORD)
    page.wait_for_url(HOME)
    page.goto("/courses/annual/")
    check_page(page, visited)
    page.get_by_role("button", name="Start the knowledge check").click()
    page.wait_for_url("**/check/1/")
    answer(page, right=False)
    page.wait_for_url("**/check/1/result/")
    check_page(page, visited)
    expect(page.get_by_role("heading", level=1)).to_have_text("You did not pass this time")
    page.get_by_role("link", name="Back to the course").click()
    page.wait_for_url("**/courses/annual/")
    check_page(page, visited)
    attempt = teacher.enrolments.get().attempts.get()
    opens = timezone.localtime(attempt.submitted_at + version.retry_cooldown)
    expect(page.get_by_role("status")).to_have_text(
        f"Your next attempt opens at {opens:%H:%M} on {opens:%-d %B %Y}. "
        "Use the time to look back over the lessons."
    )
    expect(page.locator("#attempts-left")).to_contain_text("You have 2 attempts left.")
    expect(page.get_by_role("button", name="Start the knowledge check")).to_have_count(0)


def test_marking_a_leaver_with_confirmation_then_restoring_them(new_page, teacher, school):
    head = MembershipFactory(
        school=school, role=Membership.Role.SCHOOL_ADMIN, user__first_name="Helen",
        user__email="head@oakwood.test",
    )  # fmt: skip
    leaving_on = timezone.localdate() + timedelta(days=40)
    for viewport in (PHONE, DESKTOP):
        visited = []
        page = new_page(viewport)
        sign_in(page, head.user.email, PASSWORD)
        page.wait_for_url(HOME)
        page.get_by_role("navigation", name="Oakwood Primary School").get_by_role(
            "link", name="Staff"
        ).click()
        page.wait_for_url(f"**/schools/{school.slug}/staff/")
        check_page(page, visited)
        page.get_by_role("link", name="Mark as leaving Sarah Thompson").click()
        check_page(page, visited)
        expect(page.get_by_role("heading", level=1)).to_have_text("When does Sarah Thompson leave?")
        date_group = page.get_by_role("group", name="Leaving date")
        for box in ("Day", "Month", "Year"):
            expect(date_group.get_by_label(box)).to_have_value("")  # never pre-dated
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".error-summary")).to_contain_text("Enter the leaving date.")
        check_page(page, visited)
        date_group.get_by_label("Day").fill(str(leaving_on.day))
        date_group.get_by_label("Month").fill(str(leaving_on.month))
        date_group.get_by_label("Year").fill(str(leaving_on.year))
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"Mark Sarah Thompson as leaving on {leaving_on:%-d %B %Y}?"
        )
        check_page(page, visited)
        teacher.refresh_from_db()
        assert teacher.left_on is None
        page.get_by_role("button", name="Yes, mark as leaving").click()
        page.wait_for_url(f"**/schools/{school.slug}/people/{teacher.pk}/")
        check_page(page, visited)
        expect(page.get_by_role("status")).to_contain_text("Sarah Thompson is marked as leaving")
        teacher.refresh_from_db()
        assert teacher.left_on == leaving_on
        page.get_by_role("button", name="Restore as current staff").click()
        page.wait_for_url(f"**/schools/{school.slug}/people/{teacher.pk}/")
        check_page(page, visited)
        expect(page.get_by_role("status")).to_contain_text("Sarah Thompson is current staff again.")
        teacher.refresh_from_db()
        assert teacher.left_on is None


def test_training_done_elsewhere_form_fits_a_phone_and_names_each_missing_field(new_page, teacher):
    visited = []
    page = new_page(PHONE)
    sign_in(page, teacher.user.email, PASSWORD)
    page.wait_for_url(HOME)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="My training").click()
    page.get_by_role("link", name="Record training you did elsewhere").click()
    page.wait_for_url("**/training/records/")
    check_page(page, visited)  # no sideways scroll at 320 px
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".error-summary li")).to_have_text(
        [
            "Enter the name of the training.",
            "Enter who provided the training.",
            "Enter the date you completed it.",
            "How long the training took must be 1 minute or more.",
            "Choose the certificate or other evidence to upload.",
        ]
    )
    check_page(page, visited)
    completed = page.get_by_role("group", name="Date you completed it")
    completed.get_by_label("Day").fill("31")
    completed.get_by_label("Month").fill("2")
    completed.get_by_label("Year").fill(str(date.today().year))  # 31 February: never a date
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "Date you completed it must be a real date, for example 27 3 "
    )
