"""A version's content is fixed once anyone has enrolled on it: the admin shows it read-only,
refuses changes and additions, and the lesson player's cached copy stays true."""

import pytest

from courses.models import Lesson, ScenarioChoice
from courses.selectors import version_content
from tests.factories import CourseVersionFactory, EnrolmentFactory, LessonFactory, ModuleFactory

pytestmark = pytest.mark.django_db


def _lesson_form(lesson, **changes) -> dict:
    data = {
        "module": lesson.module_id,
        "version": lesson.version_id,
        "slug": lesson.slug,
        "title": lesson.title,
        "kind": lesson.kind,
        "position": lesson.position,
        "body": lesson.body,
        "minutes": lesson.minutes,
        "sources": "[]",
        "prompt": "",
        "document": "",
        "document_version": "",
        "statement": "",
        "choices-TOTAL_FORMS": "0",
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_a_lesson_nobody_is_enrolled_on_can_be_edited(admin_client):
    lesson = LessonFactory(body="Before.")

    response = admin_client.post(
        f"/admin/courses/lesson/{lesson.pk}/change/", _lesson_form(lesson, body="After.")
    )

    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.body == "After."


def test_a_lesson_in_a_version_with_learners_is_read_only(admin_client):
    lesson = LessonFactory(body="Before.")
    EnrolmentFactory(course_version=lesson.version)

    page = admin_client.get(f"/admin/courses/lesson/{lesson.pk}/change/")
    refused = admin_client.post(
        f"/admin/courses/lesson/{lesson.pk}/change/", _lesson_form(lesson, body="After.")
    )
    deleted = admin_client.post(f"/admin/courses/lesson/{lesson.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert (refused.status_code, deleted.status_code) == (403, 403)
    lesson.refresh_from_db()
    assert lesson.body == "Before."


def test_the_version_and_its_modules_are_read_only_too(admin_client):
    module = ModuleFactory()
    EnrolmentFactory(course_version=module.version)

    version_page = admin_client.get(f"/admin/courses/courseversion/{module.version.pk}/change/")
    module_page = admin_client.get(f"/admin/courses/module/{module.pk}/change/")

    for page in (version_page, module_page):
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()


def test_no_lesson_can_be_added_to_a_version_with_learners(admin_client):
    existing = LessonFactory()
    version = existing.version
    EnrolmentFactory(course_version=version)

    response = admin_client.post(
        "/admin/courses/lesson/add/",
        _lesson_form(existing, slug="added", title="Added", position=99),
    )

    assert response.status_code == 200
    assert (
        f"Version 1 of {version.course} has learners, so its content is fixed. Load the "
        "changed course with cpd_load_courses to publish a new version."
    ) in response.content.decode()
    assert Lesson.objects.filter(version=version).count() == 1


def test_the_lesson_player_caches_a_copy_per_version_and_content(django_assert_num_queries):
    first = LessonFactory(position=1, kind=Lesson.Kind.SCENARIO)
    second = LessonFactory(module=first.module, position=2)
    responses = [
        ScenarioChoice.objects.create(lesson=first, position=n, text=f"R{n}", feedback="F")
        for n in (2, 1)
    ]
    other = CourseVersionFactory()
    key = {"version_id": first.version.pk, "content_hash": first.version.content_hash}

    # the version, its lessons and their scenario choices
    with django_assert_num_queries(3):
        content = version_content(**key)
    with django_assert_num_queries(0):
        again = version_content(**key)
    with django_assert_num_queries(2):  # no lessons, so no choices to ask for
        version_content(version_id=other.pk, content_hash=other.content_hash)

    assert again == content
    assert (content.version, content.lessons) == (first.version, [first, second])
    assert content.choices == {first.pk: responses[::-1]}
    # Each read is a copy of its own: changing one changes nothing for the next reader.
    assert again.lessons[0] is not content.lessons[0]
    # The lessons come with their modules.
    with django_assert_num_queries(0):
        assert [lesson.module for lesson in again.lessons] == [first.module, first.module]
    # A version with the same key but other content (a reloaded database) is read afresh.
    with django_assert_num_queries(3):
        version_content(version_id=first.version.pk, content_hash="f" * 64)
