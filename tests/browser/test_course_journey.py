"""A staff member takes a whole course on a phone, by keyboard alone: every kind of lesson, a
failed knowledge check, the wait before trying again, a pass and the certificate PDF, with
an axe-core scan and a 320 px reflow check on every page (see ``support.check_page``)."""

import time
from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from courses.models import Acknowledgement, Attempt, Choice, Enrolment, Lesson, ScenarioChoice
from courses.selectors import scenario_served
from cpd.models import Membership
from tests.browser.support import (
    HOME,
    PHONE,
    check_page,
    choose_by_keyboard,
    focused_description,
    is_focused,
    path_of,
    sign_in_by_keyboard,
    tab_to,
)
from tests.factories import (
    PASSWORD,
    ChoiceFactory,
    CourseVersionFactory,
    LessonFactory,
    MembershipFactory,
    ModuleFactory,
    QuestionFactory,
    RequirementFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SLUG = "responding-to-a-disclosure"
TITLE = "Responding to a disclosure"
# Long enough for the learner to reach the refusal inside it (under a second here) on a slow
# machine too; the test sleeps only for what is left of it.
COOLDOWN = timedelta(seconds=5)


@pytest.fixture
def course(transactional_db):
    """A small course of three lessons (reading, scenario, acknowledgement) and a bank of two
    questions, both served in every attempt, with a pass mark of 100% and a short cooldown.
    It is required of all staff within 30 days of starting."""
    version = CourseVersionFactory(
        course__slug=SLUG,
        course__title=TITLE,
        questions_per_attempt=2,
        max_attempts=3,
        retry_cooldown=COOLDOWN,
        pass_mark=100,
    )
    module = ModuleFactory(version=version, title="Listening and recording", position=1)
    LessonFactory(
        module=module, slug="listen", title="Listen, then record", position=1,
        body="Let the child speak. **Do not** ask leading questions.",
    )  # fmt: skip
    scenario = LessonFactory(
        module=module, slug="at-break", title="A word at break time", position=2,
        kind=Lesson.Kind.SCENARIO, body="A pupil tells you something worrying at break.",
        prompt="The pupil asks you to keep it a secret. What do you do?",
    )  # fmt: skip
    for position, (text, feedback, is_best) in enumerate(
        [
            ("Promise to keep it secret.", "You cannot promise that.", False),
            ("Explain you must pass it on, then tell the DSL today.", "Right.", True),
        ],
        start=1,
    ):
        ScenarioChoice.objects.create(
            lesson=scenario, position=position, text=text, feedback=feedback, is_best=is_best
        )
    LessonFactory(
        module=module, slug="policy", title="Our child protection policy", position=3,
        kind=Lesson.Kind.ACKNOWLEDGEMENT, body="Read the policy before you go on.",
        document="Child protection policy", document_version="2026.1",
        statement="I have read and understood the child protection policy.",
    )  # fmt: skip
    single = QuestionFactory(
        version=version, kind="single", prompt="Who do you tell first?", position=1
    )
    ChoiceFactory(
        question=single, position=1, text="The designated safeguarding lead", is_correct=True
    )
    ChoiceFactory(question=single, position=2, text="The child's parents")
    ChoiceFactory(question=single, position=3, text="No one, until you are sure")
    true_false = QuestionFactory(
        version=version, kind="true_false", position=2,
        prompt="You should write down what the child said in their own words.",
    )  # fmt: skip
    ChoiceFactory(question=true_false, position=1, text="True", is_correct=True)
    ChoiceFactory(question=true_false, position=2, text="False")
    RequirementFactory(
        name="Disclosures", course=version.course, renewal_months=None, induction_days=30
    )
    return version


def choices_for(question_id: int, *, correct: bool) -> set[str]:
    """The values the open attempt serves the question's correct (or incorrect) choices
    under, as its form field's values."""
    ids = set(
        Choice.objects.filter(question_id=question_id, is_correct=correct).values_list(
            "pk", flat=True
        )
    )
    attempt = Attempt.objects.get(submitted_at__isnull=True)
    [item] = [item for item in attempt.served if item["question"] == question_id]
    return {value for pk, value in zip(item["choices"], item["values"], strict=True) if pk in ids}


def answer_knowledge_check(page: Page, *, correctly: bool) -> None:
    """Answer every served question by keyboard; ``correctly=False`` picks one wrong choice
    for each (a single answer, so radios are the only control)."""
    names = page.locator("fieldset").evaluate_all(
        "sets => sets.map(s => s.querySelector('input').name)"
    )
    assert len(names) == 2
    for name in names:
        question_id = int(name.removeprefix("q"))
        wanted = choices_for(question_id, correct=correctly)
        if not correctly:
            wanted = {sorted(wanted)[0]}
        tab_to(page, page.locator(f"input[name='{name}']").first)
        choose_by_keyboard(page, name, wanted)
    tab_to(page, page.get_by_role("button", name="Submit answers"))
    page.keyboard.press("Enter")


def press_start_knowledge_check(page: Page) -> None:
    tab_to(page, page.get_by_role("button", name="Start the knowledge check"))
    page.keyboard.press("Enter")


def test_staff_member_takes_a_whole_course_on_a_phone_by_keyboard(new_page, course, school):
    staff = MembershipFactory(
        school=school,
        user__first_name="Priya",
        user__last_name="Shah",
        user__email="priya@oakwood.test",
        role=Membership.Role.STAFF,
        started_on=timezone.localdate() - timedelta(days=3),
    )
    visited = []
    page = new_page(PHONE)
    started = timezone.now()

    # Sign in; My training lists the course as required, in the induction period.
    sign_in_by_keyboard(page, "priya@oakwood.test", PASSWORD, visited)
    page.wait_for_url(HOME)
    check_page(page, visited)
    # The home page; My training is in the service navigation.
    tab_to(
        page, page.get_by_role("navigation", name="Menu").get_by_role("link", name="My training")
    )
    page.keyboard.press("Enter")
    page.wait_for_url("**/training/")
    check_page(page, visited)
    expect(page.get_by_role("heading", level=1)).to_have_text("My training")
    required = page.locator(".task-list__item", has=page.get_by_role("link", name=TITLE))
    expect(required).to_contain_text("In induction")
    tab_to(page, page.get_by_role("link", name=TITLE))
    page.keyboard.press("Enter")

    # The course page, then start.
    page.wait_for_url(f"**/courses/{SLUG}/")
    check_page(page, visited)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".summary-list")).to_contain_text("2 questions; pass mark 100%; 3 attempts")
    tab_to(page, page.get_by_role("button", name="Start the course"))
    page.keyboard.press("Enter")

    # Lesson 1: reading.
    page.wait_for_url(f"**/courses/{SLUG}/lessons/listen/")
    check_page(page, visited)
    expect(page.get_by_role("heading", level=1)).to_have_text("Listen, then record")
    expect(page.locator(".caption")).to_contain_text("Lesson 1 of 3")
    tab_to(page, page.get_by_role("button", name="Mark as read and continue"))
    page.keyboard.press("Enter")

    # Lesson 2: a scenario; the best response, then its feedback.
    page.wait_for_url(f"**/courses/{SLUG}/lessons/at-break/")
    check_page(page, visited)
    expect(page.locator(".caption")).to_contain_text("Lesson 2 of 3")
    scenario = Lesson.objects.get(slug="at-break")
    expect(page.get_by_role("group", name=scenario.prompt)).to_be_visible()
    [best] = scenario_served(
        enrolment_id=Enrolment.objects.get(status=Enrolment.Status.IN_PROGRESS).pk,
        choices=[scenario.choices.get(is_best=True)],
    )
    tab_to(page, page.locator("input[name='choice']").first)
    choose_by_keyboard(page, "choice", {best.value})
    tab_to(page, page.get_by_role("button", name="See feedback"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/courses/{SLUG}/lessons/at-break/#feedback")
    feedback = page.locator("#feedback")
    expect(feedback).to_be_focused()
    expect(feedback.get_by_role("heading", level=2)).to_have_text("Feedback on your choice")
    chosen = feedback.locator(".scenario-feedback__item--chosen")
    expect(chosen).to_contain_text(best.text)
    expect(chosen).to_contain_text("Best response")
    expect(chosen).to_contain_text(best.feedback)
    check_page(page, visited)
    tab_to(page, page.locator(".lesson-nav__next"))
    expect(page.locator(".lesson-nav__next")).to_contain_text("Next")
    page.keyboard.press("Enter")

    # Lesson 3: acknowledge the policy, by its name and version.
    page.wait_for_url(f"**/courses/{SLUG}/lessons/policy/")
    check_page(page, visited)
    expect(page.locator(".caption")).to_contain_text("Lesson 3 of 3")
    expect(page.locator("main form")).to_contain_text("Child protection policy (2026.1)")
    confirm = page.get_by_label("I have read and understood the child protection policy.")
    tab_to(page, confirm)
    page.keyboard.press("Space")
    expect(confirm).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Confirm and continue"))
    page.keyboard.press("Enter")

    # Every lesson done: back on the course page, the knowledge check opens.
    page.wait_for_url(f"**/courses/{SLUG}/")
    check_page(page, visited)
    expect(page.locator(".task-list__status")).to_have_text(["✓ Done"] * 3)
    acknowledged = timezone.now()
    [acknowledgement] = Acknowledgement.objects.all()
    assert (
        acknowledgement.membership,
        acknowledgement.lesson.slug,
        acknowledgement.document,
        acknowledgement.document_version,
        acknowledgement.statement,
    ) == (
        staff,
        "policy",
        "Child protection policy",
        "2026.1",
        "I have read and understood the child protection policy.",
    )
    assert started <= acknowledgement.at <= acknowledged
    press_start_knowledge_check(page)

    # Attempt 1, answered wrongly: not passed, with the time from which to try again.
    page.wait_for_url(f"**/courses/{SLUG}/check/1/")
    check_page(page, visited)
    expect(page.get_by_role("heading", level=1)).to_have_text("Knowledge check: attempt 1")
    answer_knowledge_check(page, correctly=False)
    page.wait_for_url(f"**/courses/{SLUG}/check/1/result/")
    first = Attempt.objects.get(number=1)
    ready_at = timezone.localtime(first.submitted_at + COOLDOWN)
    assert (first.score, first.passed) == (0, False)
    expect(page.get_by_role("heading", level=1)).to_have_text("You did not pass this time")
    expect(page.locator(".lead")).to_have_text("Your score: 0%. The pass mark is 100%.")
    expect(page.get_by_text("You have 2 attempts left.")).to_have_text(
        "You have 2 attempts left. You can try again from "
        f"{ready_at:%H:%M}, {ready_at.day} {ready_at:%B %Y}."
    )
    expect(page.locator(".review__item .tag")).to_have_text(["! Not correct"] * 2)
    check_page(page, visited)

    # Straight back to the course: it says when the next attempt opens, with no button
    # until then.
    tab_to(page, page.get_by_role("link", name="Back to the course"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/courses/{SLUG}/")
    check_page(page, visited)
    expect(page.locator("main")).to_contain_text("Attempt 1: 0% – not passed")
    assert timezone.now() < ready_at, "The cooldown ran out before the wait could be seen"
    expect(page.get_by_role("status")).to_have_text(
        f"Your next attempt opens at {ready_at:%H:%M} on {ready_at.day} {ready_at:%B %Y}. "
        "Use the time to look back over the lessons."
    )
    expect(page.get_by_role("button", name="Start the knowledge check")).to_have_count(0)
    assert Attempt.objects.count() == 1

    # Once the cooldown is over (the real clock: the server runs in another thread), attempt
    # 2, answered correctly, passes.
    time.sleep(max(0.0, (ready_at - timezone.now()).total_seconds()) + 0.5)
    page.reload()
    press_start_knowledge_check(page)
    page.wait_for_url(f"**/courses/{SLUG}/check/2/")
    check_page(page, visited)
    expect(page.get_by_role("heading", level=1)).to_have_text("Knowledge check: attempt 2")
    answer_knowledge_check(page, correctly=True)
    page.wait_for_url(f"**/courses/{SLUG}/check/2/result/")
    check_page(page, visited)
    expect(page.get_by_role("heading", level=1)).to_have_text("You passed")
    expect(page.get_by_text("Your score: 100%")).to_be_visible()
    expect(page.locator(".review__item .tag")).to_have_text(["✓ Correct"] * 2)
    assert Enrolment.objects.get(membership=staff).status == Enrolment.Status.COMPLETED

    # The certificate PDF, downloaded by keyboard, names the holder and the course.
    tab_to(page, page.get_by_role("link", name="Download your certificate (PDF)"))
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    certificate = staff.certificates.get()
    assert download.suggested_filename == f"{certificate.serial}.pdf"
    data = download.path().read_bytes()
    assert data.startswith(b"%PDF")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages).split())
    assert "Priya Shah" in text
    assert TITLE in text
    assert is_focused(page.get_by_role("link", name="Download your certificate (PDF)")), (
        focused_description(page)
    )
    assert path_of(page) == f"/courses/{SLUG}/check/2/result/"

    course_page, lesson = f"/courses/{SLUG}/", f"/courses/{SLUG}/lessons/"
    assert visited == [
        "/accounts/login/",
        "/",
        "/training/",
        course_page,
        f"{lesson}listen/",
        f"{lesson}at-break/",
        f"{lesson}at-break/#feedback",
        f"{lesson}policy/",
        course_page,
        f"/courses/{SLUG}/check/1/",
        f"/courses/{SLUG}/check/1/result/",
        course_page,
        f"/courses/{SLUG}/check/2/",
        f"/courses/{SLUG}/check/2/result/",
    ]
