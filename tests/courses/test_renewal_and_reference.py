"""Renewing a course after passing it, the wait before another attempt said before the
button, lessons kept as a reference after passing, and the one-page "What to do"."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from courses.models import Enrolment, LessonProgress
from courses.selectors import what_to_do
from courses.services import attempt_start, attempt_submit
from tests.courses.test_assessment import answers_for, build_course, ready_enrolment
from tests.factories import (
    PASSWORD,
    CertificateFactory,
    CourseVersionFactory,
    LessonFactory,
    MembershipFactory,
    ModuleFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)

CALLOUT = """Some reading.

!!! key-point "Key point"
    Not a step.

!!! what-to-do "What to do"
    1. Write down what the child said.
    2. Tell the DSL the same day.

After the callout.
"""


def signed_in(client, membership):
    client.login(username=membership.user.email, password=PASSWORD)
    return client


def test_what_to_do_collects_each_lessons_steps_in_lesson_order():
    version = CourseVersionFactory()
    module = ModuleFactory(version=version)
    second = LessonFactory(module=module, position=2, body=CALLOUT)
    LessonFactory(module=module, position=1, body="No callout here.")
    first = LessonFactory(
        module=module,
        position=0,
        body='!!! what-to-do "What to do"\n    Call 999 if a child is in danger.\n',
    )
    found = [(item.lesson, item.steps) for item in what_to_do(version=version)]
    assert found == [
        (first, "Call 999 if a child is in danger."),
        (second, "1. Write down what the child said.\n2. Tell the DSL the same day."),
    ]


def test_what_to_do_page_shows_the_steps_of_the_course(client):
    version = CourseVersionFactory()
    LessonFactory(module=ModuleFactory(version=version), title="Hearing a disclosure", body=CALLOUT)
    membership = MembershipFactory()
    response = signed_in(client, membership).get(f"/courses/{version.course.slug}/what-to-do/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hearing a disclosure</h2>" in html
    assert "<li>Tell the DSL the same day.</li>" in html
    assert "Not a step." not in html


def test_course_page_offers_renewal_on_the_latest_version_after_passing(client):
    old = CourseVersionFactory(number=1)
    LessonFactory(module=ModuleFactory(version=old))
    certificate = CertificateFactory(enrolment__course_version=old)
    membership = certificate.membership
    latest = CourseVersionFactory(course=old.course, number=2)
    LessonFactory(module=ModuleFactory(version=latest), slug="new-lesson")
    signed_in(client, membership)
    page = client.get(f"/courses/{old.course.slug}/").content.decode()
    assert "Start your renewal" in page
    assert "Your certificate is valid until 15 January 2027." in page
    response = client.post(f"/courses/{old.course.slug}/start/", {"school": membership.school.slug})
    assert response.url == f"/courses/{old.course.slug}/lessons/new-lesson/"
    renewal = Enrolment.objects.get(status=Enrolment.Status.IN_PROGRESS)
    assert (renewal.membership, renewal.course_version) == (membership, latest)


def test_course_page_says_attempts_left_and_cooldown_before_the_first_attempt(client):
    version = build_course(max_attempts=3, cooldown_minutes=30)
    enrolment = ready_enrolment(version)
    page = signed_in(client, enrolment.membership).get(f"/courses/{version.course.slug}/")
    html = page.content.decode()
    assert (
        "You have 3 attempts left. If you do not pass, you can try again 30 minutes later." in html
    )
    assert "Start the knowledge check" in html


def test_course_page_after_a_failed_attempt_says_when_the_next_one_opens(client, settings):
    settings.TIME_ZONE = "Europe/London"
    version = build_course(max_attempts=3, cooldown_minutes=30)
    enrolment = ready_enrolment(version)
    with time_machine.travel(NOW, tick=False):
        attempt = attempt_start(enrolment=enrolment)
        attempt_submit(attempt=attempt, answers=answers_for(attempt, correct=False))
    url = f"/courses/{version.course.slug}/"
    signed_in(client, enrolment.membership)
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        html = client.get(url).content.decode()
    assert "You have 2 attempts left." in html
    assert "Your next attempt opens at 10:30 on 20 November 2026." in html
    assert "Start the knowledge check" not in html
    with time_machine.travel(NOW + timedelta(minutes=31), tick=False):
        html = client.get(url).content.decode()
    assert "Your next attempt opens" not in html
    assert "Start the knowledge check" in html


def test_lesson_after_passing_is_readable_and_records_nothing(client):
    version = CourseVersionFactory()
    module = ModuleFactory(version=version)
    lesson = LessonFactory(module=module, title="What grooming is", body="Grooming is *slow*.")
    certificate = CertificateFactory(enrolment__course_version=version)
    signed_in(client, certificate.membership)
    url = f"/courses/{version.course.slug}/lessons/{lesson.slug}/"
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Grooming is <em>slow</em>." in html
    assert "Nothing is recorded while you read." in html
    assert "Mark as read" not in html
    assert client.post(url).status_code == 302
    assert LessonProgress.objects.count() == 0
    course_page = client.get(f"/courses/{version.course.slug}/").content.decode()
    assert f'href="{url}"' in course_page


def test_lesson_of_a_course_not_started_still_asks_to_start_it(client):
    version = CourseVersionFactory()
    lesson = LessonFactory(module=ModuleFactory(version=version))
    response = signed_in(client, MembershipFactory()).get(
        f"/courses/{version.course.slug}/lessons/{lesson.slug}/"
    )
    assert response.url == f"/courses/{version.course.slug}/"


def test_course_page_time_says_the_knowledge_check_is_left_when_every_lesson_is_read(client):
    version = build_course(per_attempt=4)
    enrolment = ready_enrolment(version)
    html = signed_in(client, enrolment.membership).get(f"/courses/{version.course.slug}/")
    html = html.content.decode()
    assert "About 5 minutes (every lesson read; the knowledge check is left)" in html
    assert "0 minutes of reading left" not in html
