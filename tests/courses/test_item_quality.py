"""The knowledge-check bank's own quality: no question asked twice, no choice offered twice,
no module left out."""

import pytest

from courses.content import ContentError
from courses.services import courses_load
from tests.courses.test_loading import course_content, course_write, problem, row_counts


@pytest.fixture
def loaded_folder(db, tmp_path):
    """The valid course, written and loaded once, so a refused load has rows to leave alone."""
    folder = course_write(tmp_path / "reporting-a-concern", course_content())
    courses_load(folders=[folder])
    return folder


def _question(key: str, prompt: str, module: str = "noticing") -> dict:
    return {
        "id": key,
        "module": module,
        "kind": "single",
        "scenario": True,
        "prompt": prompt,
        "choices": [
            {"text": "Tell the designated safeguarding lead today", "correct": True},
            {"text": "Ask the pupil to write it down first", "correct": False},
            {"text": "Wait to see whether it happens again", "correct": False},
        ],
        "explanation": "Concerns go to the DSL, the same day.",
    }


def _duplicate_stem(c):
    c["questions"].append(
        _question(
            "who-to-tell-again",
            "a pupil tells you something WORRYING at lunchtime -- who do you  tell",
        )
    )


def _stems_differ_in_a_name(c):
    c["questions"][0]["prompt"] = "Sam tells you he is frightened of going home. Who do you tell?"
    c["questions"].append(
        _question(
            "priya-frightened",
            "Priya tells you she is frightened of going home: who do you tell?",
        )
    )


def _stems_differ_in_a_possessive_name(c):
    c["questions"][0]["prompt"] = "You see bruises on Sam's arm. Who do you tell?"
    c["questions"].append(
        _question("bruises-again", "You see bruises on Priya's arm. Who do you tell?")
    )


def _repeated_choice(c):
    c["questions"][0]["choices"].append(
        {"text": "the designated  safeguarding lead.", "correct": False}
    )


def _module_without_questions(c):
    c["questions"][2]["module"] = "noticing"


REPEATS = [
    pytest.param(
        _duplicate_stem,
        [
            problem(
                "questions.yaml",
                "questions[3] (who-to-tell-again).prompt",
                "duplicate of questions[0] (who-to-tell): the same prompt once case, "
                "punctuation and spacing are set aside",
            )
        ],
        id="duplicate-stem",
    ),
    pytest.param(
        _stems_differ_in_a_name,
        [
            problem(
                "questions.yaml",
                "questions[3] (priya-frightened).prompt",
                "near-duplicate of questions[0] (who-to-tell): the prompts differ only in "
                "personal names (and the pronouns that go with them), case, punctuation or "
                "spacing",
            )
        ],
        id="near-duplicate-name",
    ),
    pytest.param(
        _stems_differ_in_a_possessive_name,
        [
            problem(
                "questions.yaml",
                "questions[3] (bruises-again).prompt",
                "near-duplicate of questions[0] (who-to-tell): the prompts differ only in "
                "personal names (and the pronouns that go with them), case, punctuation or "
                "spacing",
            )
        ],
        id="near-duplicate-possessive",
    ),
    pytest.param(
        _repeated_choice,
        [
            problem(
                "questions.yaml",
                "questions[0] (who-to-tell).choices[3]",
                "repeats choices[0] ('The designated safeguarding lead'); each choice must say "
                "something different",
            )
        ],
        id="repeated-choice",
    ),
    pytest.param(
        _module_without_questions,
        [
            problem(
                "questions.yaml",
                "questions",
                "module 'acting' has no questions, so the knowledge check never asks about it; "
                "add at least one",
            )
        ],
        id="module-without-questions",
    ),
]


@pytest.mark.parametrize(("breakage", "expected"), REPEATS)
def test_courses_load_repeated_or_missing_questions_refused_and_nothing_written(
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


def test_courses_load_stems_differing_in_more_than_a_name_both_load(db, tmp_path):
    content = course_content()
    content["questions"][0]["prompt"] = "Sam tells you he is frightened of going home. Who?"
    content["questions"].append(
        _question("priya-hurt", "Priya tells you she was hurt at home. Who do you tell?")
    )
    content["questions"].append(
        _question("sam-online", "Sam tells you he is frightened of someone online. Who?")
    )

    [(version, created)] = courses_load(
        folders=[course_write(tmp_path / "reporting-a-concern", content)]
    )

    assert (created, version.questions.count()) == (True, 5)
