"""One use case, one function: the learner's pages and the API start a course, finish a
lesson, review an attempt and count lessons through the same selector or service, so the
same request gets the same answer from both: 404 for what is not there or not theirs, 400
for what the rules refuse, and the same data when it succeeds."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from courses.models import Acknowledgement, Enrolment, Lesson, LessonProgress, ScenarioChoice
from courses.selectors import scenario_served
from courses.services import attempt_start, attempt_submit
from tests.courses.test_assessment import answers_for
from tests.factories import (
    PASSWORD,
    ChoiceFactory,
    CourseVersionFactory,
    EnrolmentFactory,
    LessonFactory,
    MembershipFactory,
    ModuleFactory,
    QuestionFactory,
    RequirementFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def course(*, reveal: bool = True, slug: str = "recognising-grooming"):
    """A reading lesson, a scenario with two responses, an acknowledgement, and a bank of
    two questions, both asked."""
    version = CourseVersionFactory(
        course__slug=slug, questions_per_attempt=2, pass_mark=50, reveal_answers=reveal
    )
    module = ModuleFactory(version=version)
    LessonFactory(module=module, slug="reading", position=1)
    scenario = LessonFactory(
        module=module, slug="scenario", position=2, kind=Lesson.Kind.SCENARIO, prompt="Next?"
    )
    for n in range(2):
        ScenarioChoice.objects.create(
            lesson=scenario, position=n, text=f"Response {n}", feedback=f"Why {n}", is_best=n == 0
        )
    LessonFactory(
        module=module,
        slug="policy",
        position=3,
        kind=Lesson.Kind.ACKNOWLEDGEMENT,
        document="Child protection policy",
        document_version="2026.1",
        statement="I have read the policy.",
    )
    for n in range(2):
        question = QuestionFactory(version=version, module=module, prompt=f"Question {n}?")
        for c in range(3):
            ChoiceFactory(
                question=question, text=f"Answer {n}.{c}", is_correct=c == 1, feedback=f"F{c}"
            )
    return version


def page_as(user) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def finished(enrolment):
    for lesson in enrolment.course_version.lessons.all():
        LessonProgress.objects.create(
            enrolment=enrolment,
            lesson=lesson,
            started_at=timezone.now(),
            completed_at=timezone.now(),
        )
    return enrolment


# -- starting or resuming a course -------------------------------------------------------------


def test_starting_a_course_that_does_not_exist_is_not_found_on_both():
    user = MembershipFactory().user
    page = page_as(user).post("/courses/no-such-course/start/")
    api = api_as(user).post("/api/v1/enrolments/", {"course": "no-such-course"})
    assert (page.status_code, api.status_code) == (404, 404)
    assert api.json() == {"detail": "No such course.", "code": "not_found"}
    assert Enrolment.objects.count() == 0


def test_starting_a_course_without_a_school_is_refused_on_both():
    course()
    user = UserFactory()
    page = page_as(user).post("/courses/recognising-grooming/start/")
    api = api_as(user).post("/api/v1/enrolments/", {"course": "recognising-grooming"})
    assert (page.status_code, api.status_code) == (400, 400)
    assert api.json() == {"detail": "You are not a member of a school.", "code": "refused"}
    assert Enrolment.objects.count() == 0


def test_starting_a_course_for_someone_in_two_schools_asks_which_on_both():
    course()
    membership = MembershipFactory()
    MembershipFactory(user=membership.user, school=SchoolFactory())
    page = page_as(membership.user).post("/courses/recognising-grooming/start/")
    api = api_as(membership.user).post("/api/v1/enrolments/", {"course": "recognising-grooming"})
    assert (page.status_code, api.status_code) == (400, 400)
    assert "Choose the school you are taking this course for." in page.content.decode()
    assert api.json()["detail"] == "You belong to several schools: say which one this is for."
    # Named, it starts through that school on both.
    page = page_as(membership.user).post(
        "/courses/recognising-grooming/start/", {"school": membership.school.slug}
    )
    assert page["Location"] == "/courses/recognising-grooming/lessons/reading/"
    api = api_as(membership.user).post(
        "/api/v1/enrolments/", {"course": "recognising-grooming", "school": membership.school.slug}
    )
    [enrolment] = Enrolment.objects.all()
    assert (enrolment.membership, api.json()["id"]) == (membership, enrolment.pk)


def test_starting_a_course_again_resumes_the_enrolment_in_progress_on_both():
    old = course()
    membership = MembershipFactory()
    enrolment = EnrolmentFactory(membership=membership, course_version=old)
    LessonProgress.objects.create(
        enrolment=enrolment,
        lesson=old.lessons.get(slug="reading"),
        started_at=timezone.now(),
        completed_at=timezone.now(),
    )
    # A newer version published since: the learner carries on with the one they started.
    CourseVersionFactory(course=old.course, number=2)

    page = page_as(membership.user).post("/courses/recognising-grooming/start/")
    api = api_as(membership.user).post("/api/v1/enrolments/", {"course": "recognising-grooming"})

    assert page["Location"] == "/courses/recognising-grooming/lessons/scenario/"
    assert (api.status_code, api.json()["id"], api.json()["version"]) == (201, enrolment.pk, 1)
    assert list(Enrolment.objects.all()) == [enrolment]


# -- finishing a lesson --------------------------------------------------------------------------


def test_a_lesson_not_in_the_course_is_not_found_on_both():
    version = course()
    enrolment = EnrolmentFactory(course_version=version)
    stranger = LessonFactory(slug="elsewhere")
    user = enrolment.membership.user
    url = f"/courses/recognising-grooming/lessons/{stranger.slug}/"
    page_get, page_post = page_as(user).get(url), page_as(user).post(url)
    api = api_as(user).post(f"/api/v1/enrolments/{enrolment.pk}/lessons/", {"lesson": "elsewhere"})
    assert (page_get.status_code, page_post.status_code, api.status_code) == (404, 404, 404)
    assert api.json() == {"detail": "No such lesson in this course.", "code": "not_found"}
    assert LessonProgress.objects.count() == 0


def test_a_lesson_of_a_course_that_does_not_exist_or_another_persons_is_not_found_on_both():
    theirs = EnrolmentFactory(course_version=course())
    user = MembershipFactory().user
    page = page_as(user).post("/courses/no-such-course/lessons/reading/")
    api = api_as(user).post(f"/api/v1/enrolments/{theirs.pk}/lessons/", {"lesson": "reading"})
    assert (page.status_code, api.status_code) == (404, 404)
    assert LessonProgress.objects.count() == 0


@pytest.mark.parametrize(
    ("lesson", "form", "body", "message"),
    [
        ("scenario", {}, {}, "Choose what you would do."),
        ("scenario", {"choice": "x"}, {"choice": "x"}, "Select a valid choice. x is not one"),
        ("policy", {}, {"confirm": False}, "Tick the box to confirm you have read the document."),
    ],
    ids=["no response", "not a response", "not confirmed"],
)
def test_finishing_a_lesson_without_what_it_asks_for_is_refused_on_both(
    lesson, form, body, message
):
    enrolment = EnrolmentFactory(course_version=course())
    user = enrolment.membership.user
    page = page_as(user).post(f"/courses/recognising-grooming/lessons/{lesson}/", form)
    api = api_as(user).post(
        f"/api/v1/enrolments/{enrolment.pk}/lessons/", {"lesson": lesson, **body}
    )
    assert (page.status_code, api.status_code) == (400, 400)
    assert message in page.content.decode()
    assert LessonProgress.objects.count() == 0


def test_finishing_with_a_response_from_another_scenario_is_refused_on_both():
    version = course()
    elsewhere = ScenarioChoice.objects.create(
        lesson=LessonFactory(kind=Lesson.Kind.SCENARIO), position=1, text="X", feedback="Y"
    )
    enrolment = EnrolmentFactory(course_version=version)
    user = enrolment.membership.user
    page = page_as(user).post(
        "/courses/recognising-grooming/lessons/scenario/", {"choice": elsewhere.pk}
    )
    api = api_as(user).post(
        f"/api/v1/enrolments/{enrolment.pk}/lessons/",
        {"lesson": "scenario", "choice": elsewhere.pk},
    )
    assert (page.status_code, api.status_code) == (400, 400)
    assert api.json() == {"detail": "Choose one of the responses listed.", "code": "refused"}
    assert LessonProgress.objects.count() == 0


def value_for(enrolment, choice) -> str:
    """The value this enrolment is offered a scenario's response under."""
    [served] = scenario_served(enrolment_id=enrolment.pk, choices=[choice])
    return served.value


def test_finishing_every_kind_of_lesson_records_the_same_on_both():
    version = course()
    by_page = EnrolmentFactory(course_version=version)
    by_api = EnrolmentFactory(course_version=version)
    second = version.lessons.get(slug="scenario").choices.get(position=1)
    page = page_as(by_page.membership.user)
    url = "/courses/recognising-grooming/lessons/{}/"
    for lesson, form in [
        ("reading", {}),
        ("scenario", {"choice": value_for(by_page, second)}),
        ("policy", {"confirm": "on"}),
    ]:
        assert page.post(url.format(lesson), form).status_code == 302
    api = api_as(by_api.membership.user)
    for body in [
        {"lesson": "reading"},
        {"lesson": "scenario", "choice": value_for(by_api, second)},
        {"lesson": "policy", "confirm": True},
    ]:
        assert api.post(f"/api/v1/enrolments/{by_api.pk}/lessons/", body).status_code == 200

    def recorded(enrolment):
        progress = LessonProgress.objects.filter(enrolment=enrolment).order_by("lesson__position")
        return (
            [(p.lesson.slug, p.completed_at is not None, p.scenario_choice) for p in progress],
            list(
                Acknowledgement.objects.filter(enrolment=enrolment).values_list(
                    "lesson__slug", "document", "document_version", "statement"
                )
            ),
        )

    assert (
        recorded(by_page)
        == recorded(by_api)
        == (
            [("reading", True, None), ("scenario", True, second), ("policy", True, None)],
            [("policy", "Child protection policy", "2026.1", "I have read the policy.")],
        )
    )


# -- reviewing an attempt ------------------------------------------------------------------------


def submitted(version, *, correct: bool, **enrolment):
    enrolment = finished(EnrolmentFactory(course_version=version, **enrolment))
    attempt = attempt_start(enrolment=enrolment)
    return attempt_submit(attempt=attempt, answers=answers_for(attempt, correct=correct))


def test_another_persons_attempt_is_not_found_on_both():
    version = course()
    theirs = submitted(version, correct=False)
    mine = finished(EnrolmentFactory(course_version=version))
    user = mine.membership.user
    pages = [
        page_as(user).get(f"/courses/recognising-grooming/check/{theirs.number}/{suffix}")
        for suffix in ("", "result/")
    ]
    api = api_as(user).get(f"/api/v1/attempts/{theirs.pk}/")
    submit = api_as(user).post(f"/api/v1/attempts/{theirs.pk}/submit/", {}, format="json")
    assert [p.status_code for p in pages] + [api.status_code, submit.status_code] == [404] * 4


def _page_review(response) -> list:
    return [
        {
            "question": item.question.pk,
            "correct": item.correct,
            "explanation": item.question.explanation,
            "choices": [
                {
                    "value": choice.value,
                    "text": choice.text,
                    "chosen": chosen,
                    "is_correct": choice.is_correct,
                    "feedback": choice.feedback,
                }
                for choice, chosen in item.choices
            ],
        }
        for item in response.context["review"]
    ]


@pytest.mark.parametrize("correct", [True, False])
def test_an_attempts_review_is_the_same_on_both(correct):
    attempt = submitted(course(), correct=correct)
    user = attempt.enrolment.membership.user
    page = page_as(user).get(f"/courses/recognising-grooming/check/{attempt.number}/result/")
    api = api_as(user).get(f"/api/v1/attempts/{attempt.pk}/").json()

    assert page.status_code == 200
    assert _page_review(page) == api["review"]
    # In the served order, each with the learner's answer marked, and what was right.
    served = [item["question"] for item in attempt.served]
    assert [item["question"] for item in api["review"]] == served
    assert [item["correct"] for item in api["review"]] == [correct, correct]
    for item, served_item in zip(api["review"], attempt.served, strict=True):
        assert [c["value"] for c in item["choices"]] == served_item["values"]
        assert [c["text"][-1] for c in item["choices"] if c["chosen"]] == (
            ["1"] if correct else ["0"]
        )
        assert [c["text"][-1] for c in item["choices"] if c["is_correct"]] == ["1"]
    assert "Why:" in page.content.decode()


def test_an_attempt_of_a_course_that_keeps_its_answers_has_no_review_on_either():
    attempt = submitted(course(reveal=False), correct=False)
    user = attempt.enrolment.membership.user
    page = page_as(user).get(f"/courses/recognising-grooming/check/{attempt.number}/result/")
    api = api_as(user).get(f"/api/v1/attempts/{attempt.pk}/").json()
    assert (page.context["review"], api["review"]) == (None, None)
    text = page.content.decode()
    assert "Review your answers" not in text and "correct answer" not in text
    assert "Your score: 0%. The pass mark is 50%." in text


def test_an_attempt_not_yet_submitted_has_no_review_on_either():
    enrolment = finished(EnrolmentFactory(course_version=course()))
    attempt = attempt_start(enrolment=enrolment)
    user = enrolment.membership.user
    page = page_as(user).get(f"/courses/recognising-grooming/check/{attempt.number}/result/")
    api = api_as(user).get(f"/api/v1/attempts/{attempt.pk}/").json()
    assert page["Location"] == f"/courses/recognising-grooming/check/{attempt.number}/"
    assert api["review"] is None
    # The questions, as served, on both; nothing says which choice is right.
    form = page_as(user).get(page["Location"]).context["form"]
    assert [
        {"id": q.pk, "choices": [value for value, _text in form.fields[name].choices]}
        for q, name in form.questions
    ] == [{"id": q["id"], "choices": [c["value"] for c in q["choices"]]} for q in api["questions"]]
    assert [q["id"] for q in api["questions"]] == [item["question"] for item in attempt.served]
    assert [[c["value"] for c in q["choices"]] for q in api["questions"]] == [
        item["values"] for item in attempt.served
    ]


# -- counting lessons ---------------------------------------------------------------------------


def test_lesson_counts_are_the_same_on_every_page_and_in_the_api():
    version = course()
    membership = MembershipFactory(started_on=timezone.localdate() - timedelta(days=5))
    lessons = list(version.lessons.order_by("position"))
    # Done in an earlier enrolment, since withdrawn: not counted now.
    earlier = finished(
        EnrolmentFactory(
            membership=membership,
            course_version=version,
            status=Enrolment.Status.WITHDRAWN,
            started_at=timezone.now() - timedelta(days=3),
        )
    )
    enrolment = EnrolmentFactory(membership=membership, course_version=version)
    LessonProgress.objects.create(
        enrolment=enrolment,
        lesson=lessons[0],
        started_at=timezone.now(),
        completed_at=timezone.now(),
    )
    # Opened, not finished: not done.
    LessonProgress.objects.create(enrolment=enrolment, lesson=lessons[1], started_at=timezone.now())
    RequirementFactory(course=version.course, induction_days=30)
    page, api = page_as(membership.user), api_as(membership.user)

    [item] = page.get("/training/").context["training"].required
    outline = page.get("/courses/recognising-grooming/").context["outline"]
    lesson_page = page.get("/courses/recognising-grooming/lessons/reading/")
    listed = {e["id"]: e for e in api.get("/api/v1/enrolments/").json()["results"]}
    detail = api.get(f"/api/v1/enrolments/{enrolment.pk}/").json()

    counts = {
        "my training": (item.lessons_done, item.lessons_total),
        "course page": (outline.done_count, len(outline.lessons)),
        "lesson page": (
            lesson_page.context["outline"].done_count,
            len(lesson_page.context["outline"].lessons),
        ),
        "api list": (listed[enrolment.pk]["lessons_done"], listed[enrolment.pk]["lessons_total"]),
        "api detail": (detail["lessons_done"], detail["lessons_total"]),
        "api lessons": (
            sum(lesson["done"] for lesson in detail["lessons"]),
            len(detail["lessons"]),
        ),
    }
    assert counts == dict.fromkeys(counts, (1, 3))
    assert (listed[earlier.pk]["lessons_done"], listed[earlier.pk]["lessons_total"]) == (3, 3)
