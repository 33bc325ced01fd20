"""My training and the lesson player: what is due, most urgent first; progress kept on the
server; scenarios and acknowledgements recorded."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from courses.models import Acknowledgement, Enrolment, Lesson, LessonProgress, ScenarioChoice
from courses.selectors import lesson_player, scenario_served
from courses.services import LearningError, acknowledgement_record, lesson_complete
from cpd.compliance.selectors import training_plan
from cpd.models import Membership
from tests.factories import (
    PASSWORD,
    CertificateFactory,
    CourseVersionFactory,
    EnrolmentFactory,
    LessonFactory,
    MembershipFactory,
    ModuleFactory,
    RequirementFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 27)


def test_my_training_lists_required_courses_most_urgent_first():
    membership = MembershipFactory(started_on=date(2026, 1, 5))
    overdue, induction, expiring = (
        RequirementFactory(name=name, course=CourseVersionFactory().course, induction_days=days)
        for name, days in [("Overdue one", 30), ("Induction one", 365), ("Expiring one", None)]
    )
    CertificateFactory(
        enrolment__membership=membership,
        enrolment__course_version=expiring.course.versions.get(),
        course=expiring.course,
        completed_on=date(2025, 12, 10),
        expires_on=date(2026, 12, 10),
    )
    training = training_plan(user=membership.user, on=TODAY)
    assert [(i.course, i.row.status) for i in training.required] == [
        (overdue.course, "overdue"),
        (expiring.course, "due_soon"),
        (induction.course, "induction_due"),
    ]


def test_my_training_for_a_person_in_two_schools_shows_each_course_once_with_each_schools_date():
    user = UserFactory()
    first = MembershipFactory(user=user, started_on=date(2026, 11, 1))
    second = MembershipFactory(
        user=user, school=SchoolFactory(), role=Membership.Role.DSL, started_on=date(2026, 11, 20)
    )
    everyone = RequirementFactory(
        name="Everyone", course=CourseVersionFactory().course, induction_days=60
    )
    dsl_only = RequirementFactory(
        name="DSLs", course=CourseVersionFactory().course, roles=["dsl"], induction_days=60
    )
    training = training_plan(user=user, on=TODAY)
    items = sorted(
        (
            i.course.pk,
            (i.row.membership.pk, i.row.due_on),
            [(r.membership.pk, r.due_on) for r in i.other_rows],
        )
        for i in training.required
    )
    assert items == sorted(
        [
            (
                everyone.course.pk,
                (first.pk, date(2026, 12, 31)),
                [(second.pk, date(2027, 1, 19))],
            ),
            (dsl_only.course.pk, (second.pk, date(2027, 1, 19)), []),
        ]
    )
    assert training.memberships == sorted([first, second], key=lambda m: m.school.name)


def test_my_training_leaves_out_schools_the_person_has_left():
    membership = MembershipFactory(started_on=date(2020, 1, 1), left_on=date(2026, 8, 31))
    RequirementFactory()
    training = training_plan(user=membership.user, on=TODAY)
    assert (training.memberships, training.required, training.optional) == ([], [], [])


def test_course_page_offers_to_continue_where_the_learner_left_off(client):
    version = CourseVersionFactory()
    module = ModuleFactory(version=version)
    lessons = [LessonFactory(module=module, position=n) for n in range(1, 4)]
    enrolment = EnrolmentFactory(course_version=version)
    lesson_complete(enrolment=enrolment, lesson=lessons[0])
    client.login(username=enrolment.membership.user.email, password=PASSWORD)
    page = client.get(f"/courses/{version.course.slug}/").content.decode()
    assert (
        f'href="/courses/{version.course.slug}/lessons/{lessons[1].slug}/">'
        "Continue where you left off</a>"
    ) in page
    assert "4 minutes of reading left" in page


def test_lesson_page_links_previous_and_next(client):
    version = CourseVersionFactory()
    module = ModuleFactory(version=version)
    first, middle, last = (LessonFactory(module=module, position=n) for n in range(1, 4))
    enrolment = EnrolmentFactory(course_version=version)
    client.login(username=enrolment.membership.user.email, password=PASSWORD)
    response = client.get(f"/courses/{version.course.slug}/lessons/{middle.slug}/")
    assert (response.context["previous"], response.context["following"]) == (first, last)
    assert "Lesson 2 of 3" in response.content.decode()
    response = client.post(f"/courses/{version.course.slug}/lessons/{middle.slug}/")
    assert response["Location"] == f"/courses/{version.course.slug}/lessons/{last.slug}/"
    assert list(LessonProgress.objects.values_list("lesson", flat=True)) == [middle.pk]


def test_lesson_page_without_an_enrolment_sends_the_learner_to_start_the_course(client):
    version, lessons = _course_of(2)
    membership = MembershipFactory()
    client.login(username=membership.user.email, password=PASSWORD)
    response = client.get(f"/courses/{version.course.slug}/lessons/{lessons[0].slug}/")
    assert response.status_code == 302
    assert response["Location"] == f"/courses/{version.course.slug}/"
    page = client.get(response["Location"]).content.decode()
    assert "Start the course to open its lessons." in page
    assert not LessonProgress.objects.exists()


def test_lesson_page_of_a_course_that_does_not_exist_is_not_found(client):
    membership = MembershipFactory()
    client.login(username=membership.user.email, password=PASSWORD)
    assert client.get("/courses/no-such-course/lessons/anything/").status_code == 404


def test_lesson_of_another_course_is_not_found(client):
    enrolment = EnrolmentFactory()
    stranger = LessonFactory()
    client.login(username=enrolment.membership.user.email, password=PASSWORD)
    course = enrolment.course_version.course.slug
    assert client.get(f"/courses/{course}/lessons/{stranger.slug}/").status_code == 404


def _course_of(lessons: int):
    version = CourseVersionFactory()
    module = ModuleFactory(version=version)
    return version, [LessonFactory(module=module, position=n) for n in range(1, lessons + 1)]


def test_lesson_player_marks_the_lessons_this_enrolment_has_finished():
    version, lessons = _course_of(4)
    enrolment = EnrolmentFactory(course_version=version)
    lesson_complete(enrolment=enrolment, lesson=lessons[0])
    lesson_complete(enrolment=enrolment, lesson=lessons[2])
    # opened but not finished: not done
    LessonProgress.objects.create(enrolment=enrolment, lesson=lessons[3], started_at=timezone.now())

    outline = lesson_player(user=enrolment.membership.user, course_slug=version.course.slug)

    assert [(entry.lesson, entry.done) for entry in outline.lessons] == [
        (lessons[0], True),
        (lessons[1], False),
        (lessons[2], True),
        (lessons[3], False),
    ]
    assert outline.version == version
    # The enrolment is the stored one: every field as stored, and saved state.
    assert outline.enrolment == enrolment
    stored = Enrolment.objects.get(pk=enrolment.pk)
    assert [getattr(outline.enrolment, f.attname) for f in Enrolment._meta.concrete_fields] == [
        getattr(stored, f.attname) for f in Enrolment._meta.concrete_fields
    ]
    assert outline.enrolment._state.adding is False
    assert outline.enrolment.course_version is outline.version


def test_lesson_player_names_the_response_chosen_in_each_scenario():
    version, (reading, first, second) = _course_of(3)
    Lesson.objects.filter(pk__in=[first.pk, second.pk]).update(kind=Lesson.Kind.SCENARIO)
    responses = {
        lesson.pk: [
            ScenarioChoice.objects.create(
                lesson=lesson, position=n, text=f"R{n}", feedback="F", is_best=n == 0
            )
            for n in range(2)
        ]
        for lesson in (first, second)
    }
    enrolment = EnrolmentFactory(course_version=version)
    LessonProgress.objects.create(
        enrolment=enrolment,
        lesson=second,
        started_at=timezone.now(),
        completed_at=timezone.now(),
        scenario_choice=responses[second.pk][1],
    )
    outline = lesson_player(user=enrolment.membership.user, course_slug=version.course.slug)
    assert [(e.done, e.scenario_choice_id) for e in outline.lessons] == [
        (False, None),
        (False, None),
        (True, responses[second.pk][1].pk),
    ]
    # The choices come with the lessons, as this enrolment is offered them.
    served = {
        pk: scenario_served(enrolment_id=enrolment.pk, choices=list(offered))
        for pk, offered in responses.items()
    }
    assert [entry.choices for entry in outline.lessons] == [
        [],
        served[first.pk],
        served[second.pk],
    ]
    assert [[c.value for c in entry.choices] for entry in outline.lessons] == [
        [],
        sorted(c.value for c in served[first.pk]),
        sorted(c.value for c in served[second.pk]),
    ]


def test_lesson_player_without_progress_has_nothing_done():
    version, lessons = _course_of(2)
    enrolment = EnrolmentFactory(course_version=version)
    outline = lesson_player(user=enrolment.membership.user, course_slug=version.course.slug)
    assert [entry.done for entry in outline.lessons] == [False, False]
    assert outline.enrolment == enrolment


def test_lesson_player_takes_the_latest_enrolment_of_someone_in_two_schools():
    version, lessons = _course_of(3)
    user = UserFactory()
    earlier = EnrolmentFactory(
        membership=MembershipFactory(user=user),
        course_version=version,
        started_at=timezone.now() - timedelta(days=2),
    )
    later = EnrolmentFactory(
        membership=MembershipFactory(user=user, school=SchoolFactory()),
        course_version=version,
        started_at=timezone.now() - timedelta(days=1),
    )
    lesson_complete(enrolment=earlier, lesson=lessons[0])
    lesson_complete(enrolment=later, lesson=lessons[1])

    outline = lesson_player(user=user, course_slug=version.course.slug)

    assert outline.enrolment == later
    assert [entry.done for entry in outline.lessons] == [False, True, False]


@pytest.mark.parametrize("status", [Enrolment.Status.COMPLETED, Enrolment.Status.WITHDRAWN])
def test_lesson_player_has_nothing_for_an_enrolment_no_longer_in_progress(status):
    version, _ = _course_of(1)
    enrolment = EnrolmentFactory(
        course_version=version,
        status=status,
        completed_at=timezone.now() if status == Enrolment.Status.COMPLETED else None,
    )
    assert lesson_player(user=enrolment.membership.user, course_slug=version.course.slug) is None


def test_lesson_player_never_reaches_another_persons_enrolment_or_course():
    version, lessons = _course_of(2)
    theirs = EnrolmentFactory(course_version=version)
    lesson_complete(enrolment=theirs, lesson=lessons[0])
    # Someone at another school, and someone at the same school, not enrolled themselves.
    for stranger in (
        MembershipFactory(school=SchoolFactory()).user,
        MembershipFactory(school=theirs.membership.school).user,
    ):
        assert lesson_player(user=stranger, course_slug=version.course.slug) is None
    # Their own enrolment on another course does not open this one.
    other, _ = _course_of(1)
    mine = EnrolmentFactory(course_version=other)
    assert lesson_player(user=mine.membership.user, course_slug=version.course.slug) is None


def test_acknowledgement_records_document_version_and_time():
    version = CourseVersionFactory()
    lesson = LessonFactory(
        module=ModuleFactory(version=version),
        kind=Lesson.Kind.ACKNOWLEDGEMENT,
        document="Keeping children safe in education, Part one",
        document_version="2025",
        statement="I have read and understood Keeping children safe in education (2025), Part one.",
    )
    enrolment = EnrolmentFactory(course_version=version)
    moment = timezone.make_aware(timezone.datetime(2026, 9, 2, 9, 30))
    with time_machine.travel(moment, tick=False):
        acknowledgement_record(enrolment=enrolment, lesson=lesson)
    record = Acknowledgement.objects.get()
    assert (record.membership, record.document, record.document_version, record.at) == (
        enrolment.membership,
        "Keeping children safe in education, Part one",
        "2025",
        moment,
    )
    assert LessonProgress.objects.get().completed_at == moment


def test_acknowledgement_form_without_the_tick_shows_the_error(client):
    version = CourseVersionFactory()
    lesson = LessonFactory(
        module=ModuleFactory(version=version),
        kind=Lesson.Kind.ACKNOWLEDGEMENT,
        document="Code of conduct",
        document_version="3",
        statement="I have read the code of conduct.",
    )
    enrolment = EnrolmentFactory(course_version=version)
    client.login(username=enrolment.membership.user.email, password=PASSWORD)
    response = client.post(f"/courses/{version.course.slug}/lessons/{lesson.slug}/", {})
    assert response.status_code == 400  # refused, as the API refuses it
    assert "Tick the box to confirm you have read the document." in response.content.decode()
    assert Acknowledgement.objects.count() == 0


def test_reading_lesson_cannot_stand_in_for_a_scenario():
    version = CourseVersionFactory()
    lesson = LessonFactory(module=ModuleFactory(version=version), kind=Lesson.Kind.SCENARIO)
    ScenarioChoice.objects.create(lesson=lesson, position=1, text="A", feedback="F", is_best=True)
    enrolment = EnrolmentFactory(course_version=version)
    with pytest.raises(LearningError, match="^Choose a response to finish this scenario.$"):
        lesson_complete(enrolment=enrolment, lesson=lesson)


def test_completed_course_cannot_gain_progress():
    version = CourseVersionFactory()
    lesson = LessonFactory(module=ModuleFactory(version=version))
    enrolment = EnrolmentFactory(
        course_version=version,
        status=Enrolment.Status.COMPLETED,
        completed_at=timezone.now() - timedelta(days=1),
    )
    with pytest.raises(LearningError, match="^This course is already finished.$"):
        lesson_complete(enrolment=enrolment, lesson=lesson)


DOCUMENTS = [
    {
        "who": "If you work directly with children",
        "document": "KCSIE 2025, Part one",
        "statement": "I have read Part one.",
    },
    {
        "who": "If you do not work directly with children",
        "document": "KCSIE 2025, Annex A",
        "statement": "I have read Annex A.",
    },
]


@pytest.fixture
def choice_of_documents():
    version = CourseVersionFactory()
    lesson = LessonFactory(
        module=ModuleFactory(version=version),
        kind=Lesson.Kind.ACKNOWLEDGEMENT,
        document_version="2025",
        documents=DOCUMENTS,
    )
    return lesson, EnrolmentFactory(course_version=version)


def test_acknowledgement_with_a_choice_records_the_document_chosen(client, choice_of_documents):
    lesson, enrolment = choice_of_documents
    client.login(username=enrolment.membership.user.email, password=PASSWORD)
    url = f"/courses/{enrolment.course_version.course.slug}/lessons/{lesson.slug}/"
    page = client.get(url).content.decode()
    assert "Which have you read?" in page
    assert "If you do not work directly with children: I have read Annex A." in page

    refused = client.post(url, {})
    assert refused.status_code == 400
    assert "Choose the document you have read." in refused.content.decode()
    assert client.post(url, {"document": "3"}).status_code == 400
    assert Acknowledgement.objects.count() == 0

    assert client.post(url, {"document": "2"}).status_code == 302
    record = Acknowledgement.objects.get()
    assert (record.document, record.document_version, record.statement) == (
        "KCSIE 2025, Annex A",
        "2025",
        "I have read Annex A.",
    )


def test_acknowledgement_with_a_choice_needs_the_choice_in_the_service(choice_of_documents):
    lesson, enrolment = choice_of_documents
    for document in (None, 0, 3):
        with pytest.raises(LearningError, match="^Choose the document you have read.$"):
            acknowledgement_record(enrolment=enrolment, lesson=lesson, document=document)
    acknowledgement_record(enrolment=enrolment, lesson=lesson, document=1)
    assert Acknowledgement.objects.get().document == "KCSIE 2025, Part one"


def test_acknowledgement_with_a_choice_through_the_api(client, choice_of_documents):
    lesson, enrolment = choice_of_documents
    client.login(username=enrolment.membership.user.email, password=PASSWORD)
    url = f"/api/v1/enrolments/{enrolment.pk}/lessons/"
    refused = client.post(url, {"lesson": lesson.slug, "confirm": True}, "application/json")
    assert refused.status_code == 400
    assert Acknowledgement.objects.count() == 0
    done = client.post(
        url, {"lesson": lesson.slug, "confirm": True, "document": 1}, "application/json"
    )
    assert done.status_code == 200
    assert Acknowledgement.objects.get().document == "KCSIE 2025, Part one"
