"""Lessons that name the learner's school's arrangements: a small, safe placeholder set,
refused anywhere but a lesson's body, filled per school with a neutral fallback."""

from datetime import date

import pytest

from courses.content import ContentError, Problem, course_spec_read
from courses.services import courses_load
from cpd.arrangements.placeholders import PLACEHOLDERS
from cpd.arrangements.services import arrangements_update, lead_update
from cpd.models import Membership
from tests.courses.test_loading import SLUG, course_content, course_write
from tests.factories import (
    PASSWORD,
    CourseVersionFactory,
    EnrolmentFactory,
    LessonFactory,
    MembershipFactory,
    ModuleFactory,
    SchoolFactory,
)

FALLBACK = "Your school has not added this yet — ask the office"
BODY = (
    "Tell {{ school.dsl }} today. Deputies: {{school.deputies}}.\n\n"
    "Record it on {{ school.recording_system }}. LADO: {{ school.lado_contact }}.\n"
)


def test_the_placeholder_set_is_the_agreed_one():
    assert PLACEHOLDERS == (
        "school.name", "school.dsl", "school.deputies", "school.recording_system",
        "school.lado_contact", "school.childrens_social_care", "school.prevent_contact",
    )  # fmt: skip


def test_every_known_placeholder_loads(db, tmp_path):
    content = course_content()
    content["lessons"]["01-who-to-tell.md"]["body"] = "\n\n".join(
        "{{ " + name + " }}" for name in PLACEHOLDERS
    )
    [(version, created)] = courses_load(folders=[course_write(tmp_path / SLUG, content)])
    lesson = version.lessons.get(slug="who-to-tell")
    assert created and lesson.body.startswith("{{ school.name }}")


def test_an_unknown_placeholder_is_refused_naming_file_and_line(tmp_path):
    content = course_content()
    content["lessons"]["01-who-to-tell.md"]["body"] = (
        "First line.\n\nYour DSL is {{ school.dsl }}.\n\nRing {{ school.head_teacher }} now.\n"
    )
    folder = course_write(tmp_path / SLUG, content)
    with pytest.raises(ContentError) as raised:
        course_spec_read(folder)
    [found] = raised.value.problems
    assert found == Problem(
        f"{SLUG}/lessons/01-who-to-tell.md",
        f"line {found.where.split()[1]}",
        "unknown placeholder {{ school.head_teacher }}; use one of {{ school.name }}, "
        "{{ school.dsl }}, {{ school.deputies }}, {{ school.recording_system }}, "
        "{{ school.lado_contact }}, {{ school.childrens_social_care }}, "
        "{{ school.prevent_contact }}",
    )
    line = int(found.where.split()[1])
    text = (folder / "lessons/01-who-to-tell.md").read_text(encoding="utf-8").splitlines()
    assert text[line - 1] == "Ring {{ school.head_teacher }} now."


def test_a_placeholder_inside_a_question_is_refused(tmp_path):
    content = course_content()
    content["questions"][0]["prompt"] = "Who is {{ school.dsl }}?"
    folder = course_write(tmp_path / SLUG, content)
    with pytest.raises(ContentError) as raised:
        course_spec_read(folder)
    [found] = [p for p in raised.value.problems if "placeholder" in p.message]
    line = int(found.where.split()[1])
    assert (found.file, found.message) == (
        f"{SLUG}/questions.yaml",
        "placeholder {{ school.dsl }} is not allowed in a question; "
        "placeholders may be used only in a lesson's body",
    )
    text = (folder / "questions.yaml").read_text(encoding="utf-8").splitlines()
    assert text[line - 1] == "  prompt: Who is {{ school.dsl }}?"


@pytest.mark.parametrize("key", ["text", "feedback"])
def test_a_placeholder_in_a_scenario_choice_is_refused(tmp_path, key):
    content = course_content()
    choices = content["lessons"]["02-scenario-a-worried-pupil.md"]["meta"]["choices"]
    choices[1][key] = "Tell {{ school.dsl }} today."
    with pytest.raises(ContentError) as raised:
        course_spec_read(course_write(tmp_path / SLUG, content))
    assert [(p.file, p.message) for p in raised.value.problems] == [
        (
            f"{SLUG}/lessons/02-scenario-a-worried-pupil.md",
            "placeholder {{ school.dsl }} is not allowed in the front matter; "
            "placeholders may be used only in a lesson's body",
        )
    ]


@pytest.fixture
def placeholder_lesson(db):
    version = CourseVersionFactory()
    lesson = LessonFactory(module=ModuleFactory(version=version), body=BODY)
    return version, lesson


def _lesson_page(client, membership, version, lesson) -> str:
    EnrolmentFactory(membership=membership, course_version=version)
    client.login(username=membership.user.email, password=PASSWORD)
    response = client.get(f"/courses/{version.course.slug}/lessons/{lesson.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_placeholders_render_the_learners_schools_values(
    client, school, staff, dsl, placeholder_lesson
):
    arrangements_update(actor=None, school=school, recording_system="CPOMS",
                        lado_contact="Priya Shah", lado_phone="0300 111 2222")  # fmt: skip
    lead_update(membership=dsl, actor=None, phone="01632 960001")
    MembershipFactory(school=school, role=Membership.Role.DEPUTY_DSL,
                      user__first_name="Ann", user__last_name="Lee")  # fmt: skip
    page = _lesson_page(client, staff, *placeholder_lesson)
    assert "Tell David Okafor, 01632 960001 today. Deputies: Ann Lee." in page
    assert "Record it on CPOMS. LADO: Priya Shah, 0300 111 2222." in page
    assert "{{" not in page


def test_an_empty_field_renders_the_fallback(client, school, staff, placeholder_lesson):
    page = _lesson_page(client, staff, *placeholder_lesson)
    assert f"Tell {FALLBACK} today. Deputies: {FALLBACK}." in page
    assert f"Record it on {FALLBACK}. LADO: {FALLBACK}." in page


def test_a_person_in_two_schools_sees_each_schools_values(
    client, school, staff, dsl, placeholder_lesson
):
    riverside = SchoolFactory(name="Riverside Academy", slug="riverside")
    MembershipFactory(school=riverside, user=staff.user, started_on=date(2025, 9, 1))
    arrangements_update(actor=None, school=school, recording_system="CPOMS")
    arrangements_update(actor=None, school=riverside, recording_system="MyConcern")
    page = _lesson_page(client, staff, *placeholder_lesson)
    assert "Record it on CPOMS (Oakwood Primary School); MyConcern (Riverside Academy)." in page
    assert (
        "Tell David Okafor (Oakwood Primary School); Riverside Academy has not added this "
        "yet — ask the office today." in page
    )


def test_a_schools_values_cannot_add_markup(client, school, staff, placeholder_lesson):
    arrangements_update(actor=None, school=school, recording_system="<b>CPOMS</b> **bold**")
    page = _lesson_page(client, staff, *placeholder_lesson)
    assert "Record it on &lt;b&gt;CPOMS&lt;/b&gt; **bold**." in page
