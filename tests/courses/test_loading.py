"""Loading course content: broken folders are refused with every problem named and nothing
written; valid content loads once, and changed content becomes a new version."""

import copy
import io
import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from courses.content import ContentError, Problem, course_spec_read
from courses.models import Choice, Course, CourseVersion, Lesson, Module, Question, ScenarioChoice
from courses.services import courses_load
from cpd.models import AuditEvent
from tests.factories import EnrolmentFactory

SLUG = "reporting-a-concern"
POSTER = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    '<rect width="10" height="10"/></svg>\n'
)
KCSIE = {
    "title": "Keeping children safe in education 2025",
    "url": "https://www.gov.uk/government/publications/keeping-children-safe-in-education--2",
}
WHO_TO_TELL_BODY = """\
Every school has a designated safeguarding lead (DSL). Find out who yours is on your first day.

![A poster with the DSL's photo and phone number](images/dsl-poster.svg)

!!! key-point "Key point"
    If you are worried about a child, tell the DSL the same day.
"""


def course_content() -> dict:
    """A small valid course: two modules, three lessons (reading, scenario and
    acknowledgement), one image, and a bank of three questions for one question an attempt."""
    return {
        "course": {
            "slug": SLUG,
            "title": "Reporting a concern",
            "summary": "Who to tell when you are worried about a child, and how quickly.",
            "audience": ["All staff and volunteers"],
            "objectives": ["By the end you can say who to tell about a concern"],
            "reviewed_against": "KCSIE 2025",
            "cpd_minutes": 10,
            "pass_mark": 80,
            "questions_per_attempt": 1,
            "max_attempts": 3,
            "retry_cooldown_minutes": 15,
            "validity_months": 12,
            "reveal_answers": True,
            "modules": [
                {
                    "slug": "noticing",
                    "title": "Noticing and telling",
                    "lessons": ["01-who-to-tell.md", "02-scenario-a-worried-pupil.md"],
                },
                {
                    "slug": "acting",
                    "title": "Acting on it",
                    "lessons": ["03-confirm-the-policy.md"],
                },
            ],
        },
        "lessons": {
            "01-who-to-tell.md": {
                "meta": {"title": "Who to tell", "kind": "content", "sources": [KCSIE]},
                "body": WHO_TO_TELL_BODY,
            },
            "02-scenario-a-worried-pupil.md": {
                "meta": {
                    "title": "Scenario: a worried pupil",
                    "kind": "scenario",
                    "sources": [KCSIE],
                    "prompt": "What do you do next?",
                    "choices": [
                        {
                            "text": "Promise to keep it secret.",
                            "best": False,
                            "feedback": "You cannot promise to keep a secret.",
                        },
                        {
                            "text": "Listen, reassure them and tell the DSL today.",
                            "best": True,
                            "feedback": "Yes. The DSL decides what happens next.",
                        },
                        {
                            "text": "Wait and see if it happens again.",
                            "best": False,
                            "feedback": "Waiting can leave a child at risk.",
                        },
                    ],
                },
                "body": "A pupil in Year 5 tells you that she does not want to go home tonight.\n",
            },
            "03-confirm-the-policy.md": {
                "meta": {
                    "title": "Confirm you have read the policy",
                    "kind": "acknowledgement",
                    "sources": [KCSIE],
                    "document": "Child protection policy",
                    "document_version": "2025",
                    "statement": "I have read the child protection policy.",
                },
                "body": "Read your school's child protection policy, then confirm below.\n",
            },
        },
        "questions": [
            {
                "id": "who-to-tell",
                "module": "noticing",
                "kind": "single",
                "scenario": True,
                "prompt": "A pupil tells you something worrying at lunchtime. Who do you tell?",
                "choices": [
                    {"text": "The designated safeguarding lead", "correct": True},
                    {"text": "The pupil's friends", "correct": False},
                    {"text": "Nobody", "correct": False},
                ],
                "explanation": "Concerns go to the DSL, the same day.",
            },
            {
                "id": "what-to-record",
                "module": "noticing",
                "kind": "multiple",
                "scenario": True,
                "prompt": "You write down a concern. What goes in it? Select all that apply.",
                "choices": [
                    {"text": "The date and time", "correct": True},
                    {"text": "The pupil's own words", "correct": True},
                    {"text": "Your guess at who is to blame", "correct": False},
                    {"text": "Your signature", "correct": True},
                ],
                "explanation": "Facts, the child's words, and who wrote it and when.",
            },
            {
                "id": "secrets",
                "module": "acting",
                "kind": "true_false",
                "scenario": False,
                "prompt": "You can promise a child to keep what they tell you secret.",
                "choices": [
                    {"text": "True", "correct": False},
                    {"text": "False", "correct": True},
                ],
                "explanation": "You may need to share it to keep them safe.",
            },
        ],
        "images": {"dsl-poster.svg": POSTER},
    }


def _dump(value) -> str:
    return value if isinstance(value, str) else yaml.safe_dump(value, sort_keys=False)


def course_write(folder: Path, content: dict) -> Path:
    """Write a course folder from ``course_content()``-shaped dicts, replacing what was there.
    A value given as text (or a lesson given as bytes) is written as it is."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "lessons").mkdir(parents=True)
    (folder / "course.yaml").write_text(_dump(content["course"]), encoding="utf-8")
    for name, lesson in content["lessons"].items():
        path = folder / "lessons" / name
        if isinstance(lesson, bytes):
            path.write_bytes(lesson)
        elif isinstance(lesson, str):
            path.write_text(lesson, encoding="utf-8")
        else:
            path.write_text(f"---\n{_dump(lesson['meta'])}---\n{lesson['body']}", encoding="utf-8")
    (folder / "questions.yaml").write_text(
        _dump({"questions": content["questions"]}), encoding="utf-8"
    )
    if content["images"]:
        (folder / "images").mkdir()
        for name, svg in content["images"].items():
            (folder / "images" / name).write_text(svg, encoding="utf-8")
    return folder


def row_counts() -> dict[str, int]:
    models = (Course, CourseVersion, Module, Lesson, ScenarioChoice, Question, Choice, AuditEvent)
    return {model.__name__: model.objects.count() for model in models}


def problem(file: str, where: str, message: str, slug: str = SLUG) -> Problem:
    return Problem(f"{slug}/{file}", where, message)


# --------------------------------------------------------------------------- breakages
# Each takes the valid content and breaks one thing; the expected problems follow it.


def _drop_pass_mark(c):
    del c["course"]["pass_mark"]


def _minutes_in_words(c):
    c["course"]["cpd_minutes"] = "thirty"


def _no_correct_answer(c):
    for choice in c["questions"][0]["choices"]:
        choice["correct"] = False


def _duplicate_module_slug(c):
    c["course"]["modules"][1]["slug"] = "noticing"


def _duplicate_question_id(c):
    c["questions"][1]["id"] = "who-to-tell"


def _invalid_yaml(c):
    c["course"] = _dump(c["course"]).replace("pass_mark: 80\n", "pass_mark: 80: percent\n")


def _script_in_lesson(c):
    c["lessons"]["01-who-to-tell.md"]["body"] += "\n<script>alert('hi')</script>\n"


def _unknown_question_type(c):
    c["questions"][2]["kind"] = "essay"


def _listed_lesson_missing(c):
    c["course"]["modules"][1]["lessons"].append("04-recording-what-you-saw.md")


def _lesson_not_listed(c):
    c["lessons"]["04-recording-what-you-saw.md"] = copy.deepcopy(c["lessons"]["01-who-to-tell.md"])


def _image_without_alt(c):
    lesson = c["lessons"]["01-who-to-tell.md"]
    lesson["body"] = lesson["body"].replace(
        "![A poster with the DSL's photo and phone number]", "![]"
    )


def _slug_not_folder(c):
    c["course"]["slug"] = "reporting-concerns"


def _front_matter_invalid_yaml(c):
    c["lessons"]["01-who-to-tell.md"] = (
        f"---\ntitle: Who to tell\nkind: content\nsources: [\n---\n{WHO_TO_TELL_BODY}"
    )


def _multiple_without_select_all(c):
    c["questions"][1]["prompt"] = "You write down a concern. What goes in it?"


def _module_as_list(c):
    c["questions"][0]["module"] = ["noticing"]


def _lesson_not_utf8(c):
    c["lessons"]["01-who-to-tell.md"] = "---\ntitle: Café rules\n---\n".encode("cp1252")


def _lesson_title_missing(c):
    del c["lessons"]["01-who-to-tell.md"]["meta"]["title"]


BREAKAGES = [
    pytest.param(
        _drop_pass_mark,
        [problem("course.yaml", "pass_mark", "required key is missing")],
        id="missing-key",
    ),
    pytest.param(
        _minutes_in_words,
        [problem("course.yaml", "cpd_minutes", "expected a whole number, found text")],
        id="wrong-type",
    ),
    pytest.param(
        _no_correct_answer,
        [
            problem(
                "questions.yaml",
                "questions[0] (who-to-tell).choices",
                "a single-answer question needs exactly one correct choice, found 0",
            )
        ],
        id="no-correct-answer",
    ),
    pytest.param(
        _duplicate_module_slug,
        [
            problem("course.yaml", "modules[1].slug", "duplicate module slug 'noticing'"),
            # The question filed under the renamed module now points at nothing.
            problem(
                "questions.yaml",
                "questions[2] (secrets).module",
                "no module with slug 'acting' in course.yaml",
            ),
        ],
        id="duplicate-module-slug",
    ),
    pytest.param(
        _duplicate_question_id,
        [
            problem(
                "questions.yaml",
                "questions[1] (who-to-tell).id",
                "duplicate question id 'who-to-tell'",
            )
        ],
        id="duplicate-question-id",
    ),
    pytest.param(
        _invalid_yaml,
        [problem("course.yaml", "line 10", "invalid YAML: mapping values are not allowed here")],
        id="invalid-yaml",
    ),
    pytest.param(
        _script_in_lesson,
        [
            problem(
                "lessons/01-who-to-tell.md",
                "line 15",
                "raw HTML is not allowed (found <script>); write Markdown",
            )
        ],
        id="script-tag",
    ),
    pytest.param(
        _unknown_question_type,
        [
            problem(
                "questions.yaml",
                "questions[2] (secrets).kind",
                "must be one of single, multiple, true_false, found 'essay'",
            )
        ],
        id="unknown-question-type",
    ),
    pytest.param(
        _listed_lesson_missing,
        [
            problem(
                "course.yaml",
                "modules[1].lessons[1]",
                "lesson file lessons/04-recording-what-you-saw.md does not exist",
            )
        ],
        id="listed-lesson-missing",
    ),
    pytest.param(
        _lesson_not_listed,
        [
            problem(
                "lessons/04-recording-what-you-saw.md",
                "",
                "lesson file is not listed in course.yaml",
            )
        ],
        id="lesson-not-listed",
    ),
    pytest.param(
        _image_without_alt,
        [
            problem(
                "lessons/01-who-to-tell.md",
                "line 10",
                "image 'images/dsl-poster.svg' has no alt text",
            )
        ],
        id="image-without-alt",
    ),
    pytest.param(
        _slug_not_folder,
        [
            problem(
                "course.yaml",
                "slug",
                "must match the folder name 'reporting-a-concern', found 'reporting-concerns'",
            )
        ],
        id="slug-not-folder",
    ),
    pytest.param(
        _front_matter_invalid_yaml,
        [
            problem(
                "lessons/01-who-to-tell.md",
                "line 4",
                "invalid YAML: expected the node content, but found '<stream end>'",
            )
        ],
        id="front-matter-invalid-yaml",
    ),
    pytest.param(
        _multiple_without_select_all,
        [
            problem(
                "questions.yaml",
                "questions[1] (what-to-record).prompt",
                "a multiple-answer question must say 'Select all that apply'",
            )
        ],
        id="multiple-without-select-all",
    ),
    pytest.param(
        _module_as_list,
        [
            problem(
                "questions.yaml",
                "questions[0] (who-to-tell).module",
                "expected a module slug, found a list",
            )
        ],
        id="module-not-text",
    ),
    pytest.param(
        _lesson_not_utf8,
        [problem("lessons/01-who-to-tell.md", "", "is not UTF-8 text; save it as UTF-8")],
        id="lesson-not-utf8",
    ),
    pytest.param(
        _lesson_title_missing,
        [problem("lessons/01-who-to-tell.md", "title", "required key is missing")],
        id="lesson-title-missing",
    ),
]


@pytest.fixture
def loaded_folder(db, tmp_path):
    """The valid course, written and loaded once, so a failed load has rows to leave alone."""
    folder = course_write(tmp_path / SLUG, course_content())
    courses_load(folders=[folder])
    return folder


def test_course_spec_read_written_course_is_valid(tmp_path):
    spec = course_spec_read(course_write(tmp_path / SLUG, course_content()))

    assert spec.slug == SLUG
    assert [(m.slug, [lesson.file for lesson in m.lessons]) for m in spec.modules] == [
        ("noticing", ["01-who-to-tell.md", "02-scenario-a-worried-pupil.md"]),
        ("acting", ["03-confirm-the-policy.md"]),
    ]
    assert [(q.key, q.kind) for q in spec.questions] == [
        ("who-to-tell", "single"),
        ("what-to-record", "multiple"),
        ("secrets", "true_false"),
    ]


def test_courses_load_valid_content_writes_one_version(db, tmp_path):
    folder = course_write(tmp_path / SLUG, course_content())

    [(version, created)] = courses_load(folders=[folder])

    assert (version.course.slug, version.number, created) == (SLUG, 1, True)
    assert row_counts() == {
        "Course": 1,
        "CourseVersion": 1,
        "Module": 2,
        "Lesson": 3,
        "ScenarioChoice": 3,
        "Question": 3,
        "Choice": 9,
        "AuditEvent": 1,
    }
    assert list(version.lessons.values_list("slug", "kind")) == [
        ("who-to-tell", "content"),
        ("scenario-a-worried-pupil", "scenario"),
        ("confirm-the-policy", "acknowledgement"),
    ]


@pytest.mark.parametrize(("breakage", "expected"), BREAKAGES)
def test_courses_load_broken_content_names_problems_and_writes_nothing(
    loaded_folder, breakage, expected
):
    content = course_content()
    breakage(content)
    course_write(loaded_folder, content)
    before = row_counts()

    with pytest.raises(ContentError) as raised:
        courses_load(folders=[loaded_folder])

    assert raised.value.problems == expected
    assert row_counts() == before


@pytest.mark.parametrize(("breakage", "expected"), BREAKAGES)
def test_load_command_broken_content_names_problems_and_writes_nothing(
    loaded_folder, breakage, expected
):
    content = course_content()
    breakage(content)
    course_write(loaded_folder, content)
    before = row_counts()

    with pytest.raises(CommandError) as raised:
        call_command("cpd_load_courses", str(loaded_folder), stdout=io.StringIO())

    lines = "".join(f"\n  {p}" for p in expected)
    assert str(raised.value) == f"Nothing was loaded: {len(expected)} problem(s) found.{lines}"
    assert row_counts() == before


def test_load_command_missing_key_message_names_file_key_and_problem(loaded_folder):
    content = course_content()
    del content["course"]["pass_mark"]
    course_write(loaded_folder, content)

    with pytest.raises(CommandError) as raised:
        call_command("cpd_load_courses", str(loaded_folder), stdout=io.StringIO())

    assert str(raised.value) == (
        "Nothing was loaded: 1 problem(s) found.\n"
        "  reporting-a-concern/course.yaml: pass_mark: required key is missing"
    )


@pytest.mark.parametrize(
    ("breakage", "file", "line", "text"),
    [
        pytest.param(_invalid_yaml, "course.yaml", 10, "pass_mark: 80: percent", id="course-yaml"),
        pytest.param(
            _script_in_lesson,
            "lessons/01-who-to-tell.md",
            15,
            "<script>alert('hi')</script>",
            id="script-tag",
        ),
        pytest.param(
            _image_without_alt,
            "lessons/01-who-to-tell.md",
            10,
            "![](images/dsl-poster.svg)",
            id="image-without-alt",
        ),
        pytest.param(
            _front_matter_invalid_yaml,
            "lessons/01-who-to-tell.md",
            4,
            "sources: [",
            id="front-matter",
        ),
    ],
)
def test_course_spec_read_problem_line_is_the_line_in_the_file(
    tmp_path, breakage, file, line, text
):
    content = course_content()
    breakage(content)
    folder = course_write(tmp_path / SLUG, content)

    with pytest.raises(ContentError) as raised:
        course_spec_read(folder)

    assert [p.where for p in raised.value.problems] == [f"line {line}"]
    assert (folder / file).read_text(encoding="utf-8").splitlines()[line - 1] == text


def test_courses_load_same_content_twice_is_unchanged(db, tmp_path):
    folder = course_write(tmp_path / SLUG, course_content())
    [(first, first_created)] = courses_load(folders=[folder])
    after_first = row_counts()

    [(second, second_created)] = courses_load(folders=[folder])

    assert (first_created, second_created) == (True, False)
    assert second == first
    assert row_counts() == after_first
    assert list(CourseVersion.objects.values_list("course__slug", "number")) == [(SLUG, 1)]


def test_load_command_same_content_twice_reports_unchanged(db, tmp_path):
    folder = course_write(tmp_path / SLUG, course_content())
    first, second = io.StringIO(), io.StringIO()

    call_command("cpd_load_courses", str(folder), stdout=first)
    after_first = row_counts()
    call_command("cpd_load_courses", str(folder), stdout=second)

    assert first.getvalue() == "reporting-a-concern: version 1 (new version)\n"
    assert second.getvalue() == "reporting-a-concern: version 1 (unchanged)\n"
    assert row_counts() == after_first


def test_courses_load_changed_lesson_makes_version_two_and_leaves_version_one(db, tmp_path, staff):
    content = course_content()
    folder = course_write(tmp_path / SLUG, content)
    [(version_one, _created)] = courses_load(folders=[folder])
    enrolment = EnrolmentFactory(membership=staff, course_version=version_one)
    lessons_before = list(version_one.lessons.values_list("pk", "slug", "body"))
    questions_before = list(version_one.questions.values_list("pk", "key", "prompt"))
    choices_before = list(
        Choice.objects.filter(question__version=version_one).values_list("pk", "text")
    )

    content["lessons"]["01-who-to-tell.md"]["body"] = WHO_TO_TELL_BODY.replace(
        "on your first day", "before your first lesson"
    )
    course_write(folder, content)
    [(version_two, created)] = courses_load(folders=[folder])

    assert (version_two.number, created) == (2, True)
    assert list(version_one.lessons.values_list("pk", "slug", "body")) == lessons_before
    assert list(version_one.questions.values_list("pk", "key", "prompt")) == questions_before
    assert (
        list(Choice.objects.filter(question__version=version_one).values_list("pk", "text"))
        == choices_before
    )
    assert version_two.lessons.get(slug="who-to-tell").body == (
        "Every school has a designated safeguarding lead (DSL). Find out who yours is before "
        "your first lesson.\n\n"
        "![A poster with the DSL's photo and phone number](images/dsl-poster.svg)\n\n"
        '!!! key-point "Key point"\n'
        "    If you are worried about a child, tell the DSL the same day."
    )
    enrolment.refresh_from_db()
    assert (enrolment.course_version, enrolment.status) == (version_one, "in_progress")
    assert list(CourseVersion.objects.order_by("number").values_list("number", flat=True)) == [
        1,
        2,
    ]


def test_courses_load_one_broken_folder_writes_nothing_for_the_valid_one(db, tmp_path):
    valid = course_write(tmp_path / SLUG, course_content())
    broken_content = course_content()
    broken_content["course"]["slug"] = "online-safety-basics"
    del broken_content["course"]["pass_mark"]
    broken = course_write(tmp_path / "online-safety-basics", broken_content)

    with pytest.raises(ContentError) as raised:
        courses_load(folders=[valid, broken])

    assert raised.value.problems == [
        problem("course.yaml", "pass_mark", "required key is missing", slug="online-safety-basics")
    ]
    assert set(row_counts().values()) == {0}


def test_load_command_folder_of_courses_one_broken_writes_nothing(db, tmp_path):
    course_write(tmp_path / SLUG, course_content())
    broken_content = course_content()
    broken_content["course"]["slug"] = "online-safety-basics"
    del broken_content["course"]["pass_mark"]
    course_write(tmp_path / "online-safety-basics", broken_content)

    with pytest.raises(CommandError) as raised:
        call_command("cpd_load_courses", str(tmp_path), stdout=io.StringIO())

    assert str(raised.value) == (
        "Nothing was loaded: 1 problem(s) found.\n"
        "  online-safety-basics/course.yaml: pass_mark: required key is missing"
    )
    assert set(row_counts().values()) == {0}


ANNEX_CHOICE = [
    {"who": "If you teach", "document": "Part one", "statement": "I have read Part one."},
    {"who": "If you do not", "document": "Annex A", "statement": "I have read Annex A."},
]


def _acknowledging(**meta) -> dict:
    content = course_content()
    lesson = content["lessons"]["03-confirm-the-policy.md"]["meta"]
    for key in ("document", "statement"):
        lesson.pop(key)
    lesson.update(meta)
    return content


def test_acknowledgement_offering_documents_loads_them(db, tmp_path):
    folder = course_write(tmp_path / SLUG, _acknowledging(documents=ANNEX_CHOICE))
    [(version, _)] = courses_load(folders=[folder])
    lesson = version.lessons.get(slug="confirm-the-policy")
    assert (lesson.document, lesson.statement, lesson.documents) == ("", "", ANNEX_CHOICE)


@pytest.mark.parametrize(
    ("meta", "problems"),
    [
        (
            {"documents": ANNEX_CHOICE[:1]},
            [("documents", "offer at least two documents to choose from, found 1")],
        ),
        (
            {"documents": ANNEX_CHOICE, "document": "Part one"},
            [("document", "give either documents (to choose from) or one document, not both")],
        ),
        (
            {"documents": [ANNEX_CHOICE[0], {"document": "Annex A", "statement": "Read it."}]},
            [("documents[2].who", "required key is missing")],
        ),
        ({"documents": "Part one"}, [("documents", "expected a list, found text")]),
        ({}, [("document", "required key is missing"), ("statement", "required key is missing")]),
    ],
)
def test_acknowledgement_documents_refused_with_the_problem_named(tmp_path, meta, problems):
    folder = course_write(tmp_path / SLUG, _acknowledging(**meta))
    with pytest.raises(ContentError) as raised:
        course_spec_read(folder)
    assert [(p.where, p.message) for p in raised.value.problems] == problems
    assert {p.file for p in raised.value.problems} == {f"{SLUG}/lessons/03-confirm-the-policy.md"}
