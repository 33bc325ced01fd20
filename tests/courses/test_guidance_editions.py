"""Guidance editions as data: a course reviewed against an older edition than the one in
force says "content review due" on its page and on the DSL's dashboard."""

from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from courses.content import ContentError, Problem, course_spec_read
from courses.models import GuidanceEdition
from courses.selectors import content_reviews
from courses.services import courses_load, guidance_editions_save
from cpd.compliance.services import requirement_pack_load
from tests.courses.test_loading import SLUG, course_content, course_write
from tests.factories import CourseVersionFactory, RequirementFactory

SERIES = "Keeping children safe in education"


def test_rule_pack_saves_its_editions(db):
    requirement_pack_load(name="kcsie")
    assert list(GuidanceEdition.objects.values_list("series", "name", "in_force_from")) == [
        (SERIES, "KCSIE 2024", date(2024, 9, 1)),
        (SERIES, "KCSIE 2025", date(2025, 9, 1)),
    ]


def test_loading_the_pack_again_changes_nothing(db):
    requirement_pack_load(name="kcsie")
    requirement_pack_load(name="kcsie")
    assert GuidanceEdition.objects.count() == 2


@pytest.fixture
def editions(db):
    """KCSIE 2025 in force, and a later edition coming into force on 1 September of the year
    after the current one, so that the clock decides which is in force."""
    next_september = date(timezone.localdate().year + 1, 9, 1)
    guidance_editions_save(
        series=SERIES,
        editions=[("KCSIE 2025", date(2025, 9, 1)), ("KCSIE Next", next_september)],
    )
    return next_september


def _at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12), tick=False)


def test_review_due_only_once_the_newer_edition_is_in_force(editions):
    version = CourseVersionFactory(reviewed_against="KCSIE 2025")
    before = content_reviews(versions=[version], today=date(editions.year, 8, 31))[version.pk]
    after = content_reviews(versions=[version], today=editions)[version.pk]
    assert (before.in_force, before.due) == ("KCSIE 2025", False)
    assert (after.in_force, after.due) == ("KCSIE Next", True)


def test_course_reviewed_against_an_unlisted_edition_is_not_judged(editions):
    version = CourseVersionFactory(reviewed_against="Our trust's own policy 2024")
    assert content_reviews(versions=[version], today=editions) == {}


def test_course_page_says_content_review_due(editions, staff, sign_in):
    version = CourseVersionFactory(course__slug="reviewed-course", reviewed_against="KCSIE 2025")
    url = reverse("courses:course", args=[version.course.slug])
    with _at(date(editions.year, 8, 31)):
        assert "Content review due" not in sign_in(staff).get(url).content.decode()
    with _at(editions):
        body = sign_in(staff).get(url).content.decode()
    assert "Content review due" in body
    assert "This course was reviewed against KCSIE 2025. KCSIE Next is now in force" in body


def test_dashboard_lists_required_courses_due_a_review(editions, dsl, sign_in):
    due = CourseVersionFactory(title="Old course", reviewed_against="KCSIE 2025")
    current = CourseVersionFactory(title="Current course", reviewed_against="KCSIE Next")
    not_required = CourseVersionFactory(title="Not required", reviewed_against="KCSIE 2025")
    RequirementFactory(course=due.course)
    RequirementFactory(course=current.course)
    url = reverse("cpd:compliance", args=[dsl.school.slug])
    with _at(date(editions.year, 8, 31)):
        assert "Content review due" not in sign_in(dsl).get(url).content.decode()
    with _at(editions):
        response = sign_in(dsl).get(url)
    assert [
        (v.title, r.reviewed_against, r.in_force) for v, r in response.context["reviews_due"]
    ] == [("Old course", "KCSIE 2025", "KCSIE Next")]
    body = response.content.decode()
    assert "Old course: reviewed against KCSIE 2025; KCSIE Next is in force" in body
    assert not_required.title not in body


def test_course_states_the_day_it_was_reviewed(db, tmp_path, staff, sign_in):
    content = course_content()
    content["course"]["reviewed_on"] = date(2025, 11, 20)
    [(version, _)] = courses_load(folders=[course_write(tmp_path / SLUG, content)])
    assert version.reviewed_on == date(2025, 11, 20)
    body = sign_in(staff).get(reverse("courses:course", args=[SLUG])).content.decode()
    assert "KCSIE 2025 on 20 November 2025" in body


def test_reviewed_on_that_is_not_a_date_is_refused(tmp_path):
    content = course_content()
    content["course"]["reviewed_on"] = "last autumn"
    with pytest.raises(ContentError) as raised:
        course_spec_read(course_write(tmp_path / SLUG, content))
    assert raised.value.problems == [
        Problem(f"{SLUG}/course.yaml", "reviewed_on", "expected a date as YYYY-MM-DD, found text")
    ]


def test_shipped_courses_state_the_edition_and_day_they_were_reviewed(shipped_courses):
    requirement_pack_load(name="kcsie")
    for slug, version in shipped_courses.items():
        assert version.reviewed_against == "KCSIE 2025", slug
        assert version.reviewed_on == date(2026, 11, 28), slug
