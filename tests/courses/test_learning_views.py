"""The learner's pages: nothing before submission gives the answers away, a double submit
gives one certificate, and the number of queries does not grow with the course."""

import re
import threading
from datetime import timedelta

import pytest
from django.db import connection, models
from django.test import Client
from django.utils import timezone

from certificates.models import Certificate
from courses.models import Choice, Enrolment, Lesson, LessonProgress, ScenarioChoice
from courses.selectors import scenario_served
from courses.services import attempt_start
from cpd.models import Requirement
from tests.courses.test_assessment import answers_for, build_course, ready_enrolment
from tests.factories import (
    PASSWORD,
    CourseVersionFactory,
    EnrolmentFactory,
    LessonFactory,
    MembershipFactory,
    ModuleFactory,
    RequirementFactory,
)

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def change_behind_the_rules(queryset, **values) -> None:
    """Change a version with learners as only raw SQL could: the models refuse
    (``courses.querysets``). These tests do it to show what a page gives away."""
    models.QuerySet.update(queryset, **values)


def page_bytes(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    return CSRF.sub(b"", response.content)


@pytest.mark.django_db
def test_attempt_page_is_the_same_whichever_choices_are_correct(client):
    version = build_course(bank=4, per_attempt=4)
    enrolment = ready_enrolment(version)
    attempt = attempt_start(enrolment=enrolment)
    client.login(username=enrolment.membership.user.email, password=PASSWORD)
    url = f"/courses/{version.course.slug}/check/{attempt.number}/"
    before = page_bytes(client, url)
    for choice in Choice.objects.filter(question__version=version):
        change_behind_the_rules(
            Choice.objects.filter(pk=choice.pk),
            is_correct=not choice.is_correct,
            feedback="This feedback must not be shown before submission.",
        )
    change_behind_the_rules(version.questions.all(), explanation="Neither must this explanation.")
    assert page_bytes(client, url) == before
    assert b"must not be shown" not in before


@pytest.mark.django_db
def test_scenario_lesson_hides_the_best_response_until_one_is_chosen(client):
    version = CourseVersionFactory()
    lesson = LessonFactory(module=ModuleFactory(version=version), kind=Lesson.Kind.SCENARIO)
    for n in range(3):
        ScenarioChoice.objects.create(
            lesson=lesson, position=n, text=f"Response {n}", feedback=f"Why {n}", is_best=n == 0
        )
    enrolment = EnrolmentFactory(course_version=version)
    client.login(username=enrolment.membership.user.email, password=PASSWORD)
    url = f"/courses/{version.course.slug}/lessons/{lesson.slug}/"
    before = page_bytes(client, url)
    change_behind_the_rules(ScenarioChoice.objects.filter(lesson=lesson), is_best=False)
    change_behind_the_rules(ScenarioChoice.objects.filter(lesson=lesson, position=2), is_best=True)
    assert page_bytes(client, url) == before
    assert b"Why 0" not in before
    [chosen] = scenario_served(
        enrolment_id=enrolment.pk, choices=[ScenarioChoice.objects.get(lesson=lesson, position=1)]
    )
    assert client.post(url, {"choice": chosen.value}).status_code == 302
    after = client.get(url).content.decode()
    assert "Why 0" in after and "Why 1" in after and "Why 2" in after


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_submissions_of_a_passing_attempt_give_one_certificate():
    version = build_course(bank=3, per_attempt=3)
    enrolment = ready_enrolment(version)
    attempt = attempt_start(enrolment=enrolment)
    answers = answers_for(attempt, correct=True)
    form = {f"q{q}": [str(c) for c in choices] for q, choices in answers.items()}
    url = f"/courses/{version.course.slug}/check/{attempt.number}/"
    signed_in = Client()
    signed_in.login(username=enrolment.membership.user.email, password=PASSWORD)
    cookies = signed_in.cookies

    barrier = threading.Barrier(20)
    statuses, errors = [], []

    def submit():
        client = Client()
        client.cookies = cookies
        try:
            barrier.wait()
            statuses.append(client.post(url, form).status_code)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert statuses == [302] * 20
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1
    attempt.refresh_from_db()
    assert (attempt.score, attempt.passed) == (100, True)
    assert Enrolment.objects.get(pk=enrolment.pk).status == Enrolment.Status.COMPLETED


# Query counts: pinned, and the same for a small and a larger course.


@pytest.mark.django_db
@pytest.mark.parametrize("courses", [1, 10])
def test_my_training_query_count(client, django_assert_num_queries, courses):
    membership = MembershipFactory(started_on=timezone.localdate() - timedelta(days=5))
    for n in range(courses):
        version = CourseVersionFactory()
        RequirementFactory(course=version.course, induction_days=30)
        lesson = LessonFactory(module=ModuleFactory(version=version))
        enrolment = EnrolmentFactory(membership=membership, course_version=version)
        LessonProgress.objects.create(
            enrolment=enrolment,
            lesson=lesson,
            started_at=timezone.now(),
            completed_at=timezone.now(),
        )
        if n % 2:
            CourseVersionFactory()  # a course nobody requires: listed as optional
    client.login(username=membership.user.email, password=PASSWORD)
    client.get("/training/")  # caches the header's links in the session
    # One more than before: invitations waiting for the person (cpd.people.joining).
    with django_assert_num_queries(11):
        response = client.get("/training/")
    assert len(response.context["training"].required) == courses
    assert Requirement.objects.count() == courses


@pytest.mark.django_db
@pytest.mark.parametrize("lessons", [1, 10])
def test_course_page_query_count(client, django_assert_num_queries, lessons):
    version = CourseVersionFactory()
    module = ModuleFactory(version=version)
    for _ in range(lessons):
        LessonFactory(module=module)
    enrolment = EnrolmentFactory(course_version=version)
    client.login(username=enrolment.membership.user.email, password=PASSWORD)
    client.get(f"/courses/{version.course.slug}/")  # caches the header's links
    with django_assert_num_queries(7):
        response = client.get(f"/courses/{version.course.slug}/")
    assert len(response.context["outline"].lessons) == lessons


@pytest.mark.django_db
@pytest.mark.parametrize("lessons", [1, 10])
def test_lesson_page_query_count(client, django_assert_num_queries, lessons):
    version = CourseVersionFactory()
    module = ModuleFactory(version=version)
    first = LessonFactory(module=module, position=1)
    for n in range(lessons - 1):
        LessonFactory(module=module, position=n + 2)
    enrolment = EnrolmentFactory(course_version=version)
    client.login(username=enrolment.membership.user.email, password=PASSWORD)
    # The first visit also reads the version, its lessons and their scenario choices (kept
    # in the cache from then on: three queries) and the header's links (two queries, kept
    # in the session, which is saved: three more).
    with django_assert_num_queries(10):
        client.get(f"/courses/{version.course.slug}/lessons/{first.slug}/")
    # the user; their enrolment with its progress
    with django_assert_num_queries(2):
        response = client.get(f"/courses/{version.course.slug}/lessons/{first.slug}/")
    assert response.context["position"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("answered", [False, True])
def test_scenario_lesson_page_query_count(client, django_assert_num_queries, answered):
    version = CourseVersionFactory()
    lesson = LessonFactory(module=ModuleFactory(version=version), kind=Lesson.Kind.SCENARIO)
    choices = [
        ScenarioChoice.objects.create(
            lesson=lesson, position=n, text=f"Response {n}", feedback=f"Why {n}", is_best=n == 0
        )
        for n in range(3)
    ]
    enrolment = EnrolmentFactory(course_version=version)
    client.login(username=enrolment.membership.user.email, password=PASSWORD)
    url = f"/courses/{version.course.slug}/lessons/{lesson.slug}/"
    if answered:
        [chosen] = scenario_served(enrolment_id=enrolment.pk, choices=[choices[1]])
        assert client.post(url, {"choice": chosen.value}).status_code == 302
    client.get(url)
    # the user; their enrolment with its progress, which names the response chosen (the
    # lesson's choices come with its lessons, from the cache)
    with django_assert_num_queries(2):
        response = client.get(url)
    assert response.context["chosen"] == (choices[1] if answered else None)
    served = scenario_served(enrolment_id=enrolment.pk, choices=list(choices))
    assert response.context["scenario_choices"] == (served if answered else [])
