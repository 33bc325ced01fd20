"""The shipped courses: each one loads, and its structure meets the rules in FORMAT.md.

These checks read the spec the loader returns and test the rules again independently, so a
loader change that stopped enforcing a rule still fails here for the shipped content.
"""

import re
from functools import cache
from pathlib import Path

import pytest

from courses.content import CourseSpec, course_spec_read, shipped_course_folders

FOLDERS = shipped_course_folders()
IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)")


@cache
def spec_for(folder: Path) -> CourseSpec:
    return course_spec_read(folder)


def lessons_of(spec: CourseSpec):
    return [lesson for module in spec.modules for lesson in module.lessons]


courses = pytest.mark.parametrize("folder", FOLDERS, ids=[folder.name for folder in FOLDERS])


def test_shipped_course_folders_are_the_four_courses():
    assert {folder.name for folder in FOLDERS} == {
        "annual-safeguarding-update",
        "dsl-refresher",
        "recognising-grooming",
        "safeguarding-induction",
    }


@courses
def test_shipped_course_loads_with_its_folder_slug(folder):
    assert spec_for(folder).slug == folder.name


@courses
def test_shipped_course_every_module_has_lessons(folder):
    spec = spec_for(folder)
    assert len(spec.modules) >= 1
    assert [m.slug for m in spec.modules if not m.lessons] == []


@courses
def test_shipped_course_bank_holds_three_times_questions_per_attempt(folder):
    spec = spec_for(folder)
    assert len(spec.questions) >= 3 * spec.questions_per_attempt


@courses
def test_shipped_course_bank_at_least_half_scenarios(folder):
    spec = spec_for(folder)
    scenarios = sum(1 for q in spec.questions if q.scenario)
    assert 2 * scenarios >= len(spec.questions)


@courses
def test_shipped_course_question_ids_unique_and_modules_exist(folder):
    spec = spec_for(folder)
    keys = [q.key for q in spec.questions]
    assert len(set(keys)) == len(keys)
    module_slugs = {m.slug for m in spec.modules}
    assert [q.key for q in spec.questions if q.module not in module_slugs] == []


def _answer_rule_broken(question) -> bool:
    choices = question.choices
    correct = sum(1 for c in choices if c["correct"])
    if question.kind == "single":
        return not (len(choices) >= 3 and correct == 1)
    if question.kind == "multiple":
        return not (
            len(choices) >= 4
            and correct >= 2
            and len(choices) - correct >= 1
            and "Select all that apply" in question.prompt
        )
    if question.kind == "true_false":
        texts = sorted(c["text"] for c in choices)
        return not (texts == ["False", "True"] and correct == 1)
    return True  # an unknown kind


@courses
def test_shipped_course_questions_have_right_number_of_correct_answers(folder):
    spec = spec_for(folder)
    assert [q.key for q in spec.questions if _answer_rule_broken(q)] == []


@courses
def test_shipped_course_every_question_has_an_explanation(folder):
    spec = spec_for(folder)
    assert [q.key for q in spec.questions if not q.explanation.strip()] == []


@courses
def test_shipped_course_every_lesson_has_https_sources(folder):
    spec = spec_for(folder)
    unsourced = [
        lesson.file
        for lesson in lessons_of(spec)
        if not lesson.sources
        or not all(s["url"].startswith("https://") and s["title"] for s in lesson.sources)
    ]
    assert unsourced == []


@courses
def test_shipped_course_every_image_has_alt_text_and_exists(folder):
    spec = spec_for(folder)
    images = [
        (lesson.file, image["src"], image["alt"].strip())
        for lesson in lessons_of(spec)
        for image in IMAGE.finditer(lesson.body)
    ]
    assert [(file, src) for file, src, alt in images if not alt] == []
    assert [(file, src) for file, src, _alt in images if not (folder / src).is_file()] == []


@courses
def test_shipped_course_lessons_listed_exactly_match_lesson_files(folder):
    listed = [lesson.file for lesson in lessons_of(spec_for(folder))]
    on_disk = sorted(path.name for path in (folder / "lessons").glob("*.md"))
    assert sorted(listed) == on_disk
    assert len(set(listed)) == len(listed)


@courses
def test_shipped_course_every_scenario_lesson_has_exactly_one_best_choice(folder):
    scenarios = [lesson for lesson in lessons_of(spec_for(folder)) if lesson.kind == "scenario"]
    assert len(scenarios) >= 1
    assert [
        lesson.file
        for lesson in scenarios
        if not lesson.prompt
        or len(lesson.choices) < 2
        or sum(1 for c in lesson.choices if c["best"]) != 1
    ] == []


def test_annual_update_ends_with_part_one_or_annex_a_then_annex_b_acknowledgements():
    folder = next(f for f in FOLDERS if f.name == "annual-safeguarding-update")
    *_, part_one, annex_b = lessons_of(spec_for(folder))
    assert (part_one.kind, part_one.document_version, annex_b.kind, annex_b.document_version) == (
        "acknowledgement",
        "2025",
        "acknowledgement",
        "2025",
    )
    # The learner says which they read; the record keeps that one's name and statement.
    assert [(d["document"], d["statement"]) for d in part_one.documents] == [
        (
            "Keeping children safe in education 2025, Part one",
            "I have read and understood Keeping children safe in education (2025), Part one.",
        ),
        (
            "Keeping children safe in education 2025, Annex A",
            "I have read and understood Keeping children safe in education (2025), Annex A.",
        ),
    ]
    assert [d["statement"] for d in annex_b.documents] == [
        "I have read and understood Keeping children safe in education (2025), Annex B.",
        "I do not work directly with children, and my school has told me I am not asked to"
        " read Annex B.",
    ]
