"""The knowledge-check bank's own quality: no question asked twice, no choice offered twice,
no module left out, and no pass for someone who has read nothing and answers by surface
cues (the longest choice, the one naming the DSL, always "False", a position)."""

import io
import re
from fractions import Fraction
from itertools import combinations, product
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from courses.content import ContentError, CourseSpec, Problem, QuestionSpec, course_spec_read
from courses.loading import (
    SHIPPED_GUESSABLE_BANKS_REFUSED,
    CoursesRefused,
    bank_report,
    course_is_shipped,
    courses_check,
    guessing_refused,
    shipped_course_folders,
)
from courses.loading.check import guessing_problems
from courses.loading.item_quality import (
    GUESS_PASS_LIMIT,
    attempt_pass_probability,
    guess_keyword,
    guess_longest,
    guess_pattern,
    guess_random,
)
from courses.models import CourseVersion
from courses.services import courses_load, courses_publish
from tests.courses.test_loading import SLUG, course_content, course_write, problem, row_counts


@pytest.fixture
def loaded_folder(db, tmp_path):
    """The valid course, written and loaded once, so a refused load has rows to leave alone."""
    folder = course_write(tmp_path / SLUG, course_content())
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


# ------------------------------------------------------------------------ guessing figures


def guessable_content() -> dict:
    """The small course with every correct answer findable by length alone: the longest
    single choice, every select-all choice but the shortest, and "False"."""
    content = course_content()
    content["questions"][1]["choices"][2]["text"] = "Blame"
    return content


def well_built_content() -> dict:
    """A bank whose answers no surface cue gives away: within a question every choice is as
    long as the others and none names the DSL, the head or the police; correct answers sit
    at every position; true/false answers are half True, half False."""
    content = course_content()
    content["course"]["questions_per_attempt"] = 5
    letters = "ABCDE"
    questions = []
    for n in range(1, 13):
        right = n % 4
        questions.append(
            {
                "id": f"case-{n}",
                "module": "noticing" if n <= 6 else "acting",
                "kind": "single",
                "scenario": True,
                "prompt": f"Case {n}: which response follows the procedure?",
                "choices": [
                    {"text": f"Response {letters[i]} to case {n}", "correct": i == right}
                    for i in range(4)
                ],
                "explanation": f"Response {letters[right]} follows the procedure.",
            }
        )
    for n, right in ((13, {0, 3}), (14, {1, 4}), (15, {0, 2, 4})):
        questions.append(
            {
                "id": f"case-{n}",
                "module": "acting",
                "kind": "multiple",
                "scenario": False,
                "prompt": f"Case {n}: which responses follow the procedure? Select all that apply.",
                "choices": [
                    {"text": f"Response {letters[i]} to case {n}", "correct": i in right}
                    for i in range(5)
                ],
                "explanation": "Only those responses follow the procedure.",
            }
        )
    for n, answer in ((16, "True"), (17, "False")):
        questions.append(
            {
                "id": f"statement-{n}",
                "module": "noticing",
                "kind": "true_false",
                "scenario": False,
                "prompt": f"Statement {n} describes the procedure.",
                "choices": [
                    {"text": "True", "correct": answer == "True"},
                    {"text": "False", "correct": answer == "False"},
                ],
                "explanation": f"Statement {n} is {answer.lower()}.",
            }
        )
    content["questions"] = questions
    return content


def _figures(report) -> list[tuple[str, str, Fraction]]:
    return [(f.guesser, f.way, f.pass_probability) for f in report.figures]


GUESSABLE_FIGURES = [
    # Hand-checked. Per attempt (one question drawn of three): random (1/3 + 1/15 + 1/2) / 3
    # = 3/10, so 1 - (7/10)**3 over three attempts; pattern, last as seen: (1/3 + 1/4 + 1) / 3
    # = 19/36, so 1 - (17/36)**3.
    ("random", "", Fraction(657, 1000)),
    ("longest", "False", Fraction(1)),
    ("keyword", "False", Fraction(1)),
    ("pattern", "last", Fraction(41743, 46656)),
]
WELL_BUILT_FIGURES = [
    (
        "random",
        "",
        Fraction(3881985038781432110160424795485, 105105648349748868795943450836992),
    ),
    ("longest", "True", Fraction(112620615345974527, 3975308259362865152)),
    ("keyword", "True", Fraction(112620615345974527, 3975308259362865152)),
    ("pattern", "first", Fraction(112620615345974527, 3975308259362865152)),
]


def _guessable_problem(guesser: str, how: str, figure: str) -> Problem:
    return problem(
        "questions.yaml",
        "questions",
        f"guessable: the {guesser} guesser ({how}) passes {figure} of the time within 3 "
        "attempts without reading anything; every guesser must pass under 5.0%",
    )


GUESSABLE_PROBLEMS = [
    _guessable_problem("random", "blind guessing", "65.7%"),
    _guessable_problem(
        "longest", "the longest choice, all but the shortest, always False", "100.0%"
    ),
    _guessable_problem(
        "keyword",
        "the choice naming the DSL, head, 999, police, a record or report, else the longest, "
        "always False",
        "100.0%",
    ),
    _guessable_problem("pattern", "the last choice as seen, all but one", "89.4%"),
]
GUESSABLE_REPORT = (
    "  reporting-a-concern: 1 of 3 questions, pass mark 80%, 3 attempts: random 65.7%, "
    "longest 100.0% (true/false always False), keyword 100.0% (true/false always False), "
    "pattern 89.4% (last choice as seen)\n"
)
FIGURES_HEADING = (
    "Chance that someone who has read nothing passes each knowledge check by guessing "
    "(must be under 5.0%):\n"
)


def test_bank_report_guessable_bank_figures(tmp_path):
    spec = course_spec_read(course_write(tmp_path / SLUG, guessable_content()))

    report = bank_report(spec=spec)

    assert (report.course, report.bank, report.drawn, report.pass_mark, report.max_attempts) == (
        SLUG,
        3,
        1,
        80,
        3,
    )
    assert _figures(report) == GUESSABLE_FIGURES
    assert f"  {report}\n" == GUESSABLE_REPORT


def test_bank_report_well_built_bank_every_guesser_under_five_percent(tmp_path):
    spec = course_spec_read(course_write(tmp_path / SLUG, well_built_content()))

    report = bank_report(spec=spec)

    assert _figures(report) == WELL_BUILT_FIGURES
    assert [f.percent for f in report.figures] == ["3.6%", "2.8%", "2.8%", "2.8%"]
    assert report.guessable == ()


def test_bank_report_same_bank_read_twice_gives_the_same_figures(tmp_path):
    folder = course_write(tmp_path / SLUG, well_built_content())

    first = bank_report(spec=course_spec_read(folder))
    second = bank_report(spec=course_spec_read(folder))

    assert first == second
    assert _figures(first) == WELL_BUILT_FIGURES


def test_courses_load_strict_refuses_guessable_bank_and_writes_nothing(loaded_folder):
    course_write(loaded_folder, guessable_content())
    before = row_counts()

    with pytest.raises(CoursesRefused) as raised:
        courses_load(folders=[loaded_folder], strict=True)

    assert raised.value.problems == GUESSABLE_PROBLEMS
    assert [_figures(report) for report in raised.value.reports] == [GUESSABLE_FIGURES]
    assert row_counts() == before


def test_courses_load_setting_refuses_guessable_bank_and_writes_nothing(loaded_folder, settings):
    settings.CPD_REFUSE_GUESSABLE_BANKS = True
    course_write(loaded_folder, guessable_content())
    before = row_counts()

    with pytest.raises(ContentError) as raised:
        courses_load(folders=[loaded_folder])

    assert raised.value.problems == GUESSABLE_PROBLEMS
    assert row_counts() == before


def test_courses_check_school_guessable_bank_loads_with_warnings(db, tmp_path):
    folder = course_write(tmp_path / SLUG, guessable_content())

    [checked] = courses_check(folders=[folder])
    [(version, created)] = courses_publish(courses=[checked])

    assert (checked.shipped, list(checked.warnings)) == (False, GUESSABLE_PROBLEMS)
    assert (version.course.slug, created) == (SLUG, True)


def test_courses_load_strict_well_built_bank_loads_without_warnings(db, tmp_path):
    folder = course_write(tmp_path / SLUG, well_built_content())

    [checked] = courses_check(folders=[folder], strict=True)
    [(version, created)] = courses_load(folders=[folder], strict=True)

    assert checked.warnings == ()
    assert (version.questions.count(), created) == (17, True)


def test_load_command_prints_figures_and_warnings_on_stderr(db, tmp_path):
    folder = course_write(tmp_path / SLUG, guessable_content())
    out, err = io.StringIO(), io.StringIO()

    call_command("cpd_load_courses", str(folder), stdout=out, stderr=err)

    assert out.getvalue() == "reporting-a-concern: version 1 (new version)\n"
    assert err.getvalue() == FIGURES_HEADING + GUESSABLE_REPORT + "".join(
        f"Warning: {p}\n" for p in GUESSABLE_PROBLEMS
    )


def test_load_command_strict_refuses_guessable_bank_with_figures(loaded_folder):
    course_write(loaded_folder, guessable_content())
    before = row_counts()
    err = io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command(
            "cpd_load_courses", str(loaded_folder), "--strict", stdout=io.StringIO(), stderr=err
        )

    lines = "".join(f"\n  {p}" for p in GUESSABLE_PROBLEMS)
    assert str(raised.value) == f"Nothing was loaded: 4 problem(s) found.{lines}"
    assert err.getvalue() == FIGURES_HEADING + GUESSABLE_REPORT
    assert row_counts() == before


@pytest.mark.parametrize(
    ("shipped", "strict", "shipped_refused", "refused"),
    [
        (False, False, False, False),
        (False, False, True, False),
        (False, True, False, True),
        (True, False, False, False),
        (True, False, True, True),
        (True, True, False, True),
    ],
)
def test_guessing_refused_by_strictness_and_shipped_switch(
    shipped, strict, shipped_refused, refused
):
    assert (
        guessing_refused(shipped=shipped, strict=strict, shipped_refused=shipped_refused) is refused
    )


def test_course_is_shipped_only_for_folders_under_courses_content(tmp_path):
    assert [course_is_shipped(folder) for folder in shipped_course_folders()] == [True] * 4
    assert course_is_shipped(course_write(tmp_path / SLUG, course_content())) is False


# ------------------------------------------------------------- the arithmetic, by hand


def _true_false(key: str, answer: str) -> QuestionSpec:
    return QuestionSpec(
        key=key,
        module="only",
        kind="true_false",
        scenario=True,
        prompt=f"Statement {key}.",
        choices=[
            {"text": "True", "correct": answer == "True", "feedback": ""},
            {"text": "False", "correct": answer == "False", "feedback": ""},
        ],
        explanation="",
    )


def _spec(questions, *, drawn: int, pass_mark: int, attempts: int) -> CourseSpec:
    return CourseSpec(
        folder=Path("tiny"),
        content_hash="",
        slug="tiny",
        title="Tiny",
        summary="",
        audience=[],
        objectives=[],
        reviewed_against="",
        cpd_minutes=1,
        pass_mark=pass_mark,
        questions_per_attempt=drawn,
        max_attempts=attempts,
        retry_cooldown_minutes=0,
        validity_months=None,
        reveal_answers=False,
        modules=[],
        questions=questions,
    )


@pytest.mark.parametrize(
    ("attempts", "random"),
    [(1, Fraction(1, 4)), (2, Fraction(7, 16))],  # 1/2 * 1/2; then 1 - (3/4)**2
)
def test_bank_report_two_true_false_questions_all_needed_by_hand(attempts, random):
    spec = _spec(
        [_true_false("one", "True"), _true_false("two", "False")],
        drawn=2,
        pass_mark=100,
        attempts=attempts,
    )

    report = bank_report(spec=spec)

    # Answering every true/false question alike, or by position, gets exactly one right.
    assert _figures(report) == [
        ("random", "", random),
        ("longest", "True", Fraction(0)),
        ("keyword", "True", Fraction(0)),
        ("pattern", "first", Fraction(0)),
    ]


@pytest.mark.parametrize(
    ("chances", "drawn", "pass_mark", "expected"),
    [
        # Two of three drawn, both must be right: only the draw of the two sure ones passes.
        ([Fraction(1), Fraction(1), Fraction(0)], 2, 100, Fraction(1, 3)),
        # Two right of three is round(66.7) = 67%, as attempt_submit scores it.
        ([Fraction(1), Fraction(1), Fraction(0)], 3, 67, Fraction(1)),
        ([Fraction(1), Fraction(1), Fraction(0)], 3, 68, Fraction(0)),
        # One of two drawn: half the draws give the sure one, half a coin toss.
        ([Fraction(1), Fraction(1, 2)], 1, 100, Fraction(3, 4)),
    ],
)
def test_attempt_pass_probability_by_hand(chances, drawn, pass_mark, expected):
    assert attempt_pass_probability(chances=chances, drawn=drawn, pass_mark=pass_mark) == expected


def test_attempt_pass_probability_matches_every_draw_and_outcome_counted():
    chances = (
        [Fraction(1, 4)] * 3 + [Fraction(1, 2)] * 2 + [Fraction(1), Fraction(0), Fraction(1, 31)]
    )
    drawn, pass_mark = 4, 75
    counted = Fraction(0)
    draws = list(combinations(range(len(chances)), drawn))
    for draw in draws:
        for outcome in product((True, False), repeat=drawn):
            chance = Fraction(1)
            for question, right in zip(draw, outcome, strict=True):
                chance *= chances[question] if right else 1 - chances[question]
            if round(100 * sum(outcome) / drawn) >= pass_mark:
                counted += chance
    counted /= len(draws)

    assert attempt_pass_probability(chances=chances, drawn=drawn, pass_mark=pass_mark) == counted


# ------------------------------------------------------------- each guesser on one question


def _single(*choices: tuple[str, bool]) -> QuestionSpec:
    return QuestionSpec(
        key="q",
        module="only",
        kind="single",
        scenario=True,
        prompt="Which?",
        choices=[{"text": t, "correct": c, "feedback": ""} for t, c in choices],
        explanation="",
    )


def _multiple(*choices: tuple[str, bool]) -> QuestionSpec:
    question = _single(*choices)
    question.kind = "multiple"
    return question


@pytest.mark.parametrize(
    ("rule", "question", "way", "chance"),
    [
        (guess_random, _single(("a", True), ("b", False), ("c", False)), "", Fraction(1, 3)),
        (
            guess_random,
            _multiple(("a", True), ("b", True), ("c", False), ("d", False)),
            "",
            Fraction(1, 15),
        ),
        (guess_random, _true_false("t", "True"), "", Fraction(1, 2)),
        (guess_longest, _single(("longest one", True), ("short", False), ("tiny", False)), "", 1),
        # Two tie for longest: one of them at random.
        (
            guess_longest,
            _single(("same size", True), ("size same", False), ("x", False)),
            "",
            Fraction(1, 2),
        ),
        (guess_longest, _single(("right", True), ("the wrong one", False), ("no", False)), "", 0),
        (
            guess_longest,
            _multiple(("aaaa", True), ("bbbb", True), ("ccc", True), ("d", False)),
            "",
            1,
        ),
        (
            guess_longest,
            _multiple(("aaaa", True), ("bbbb", True), ("c", True), ("ddd", False)),
            "",
            0,
        ),
        (guess_longest, _true_false("t", "False"), "False", 1),
        (guess_longest, _true_false("t", "False"), "True", 0),
        (
            guess_keyword,
            _single(
                ("Tell the DSL", True), ("Keep it to yourself for now", False), ("Wait", False)
            ),
            "",
            1,
        ),
        (
            guess_keyword,
            _single(
                ("Ring 999", False), ("Call the police", True), ("Wait and see what happens", False)
            ),
            "",
            1,
        ),
        # No choice names anyone: the longest.
        (
            guess_keyword,
            _single(("Listen calmly", True), ("Promise secrecy", False), ("No", False)),
            "",
            0,
        ),
        (
            guess_keyword,
            _multiple(
                ("Record it", True), ("Report it", True), ("Ignore it", False), ("Wait", False)
            ),
            "",
            1,
        ),
        (
            guess_pattern,
            _single(("a", True), ("b", False), ("c", False), ("d", False)),
            "first",
            Fraction(1, 4),
        ),
        (
            guess_pattern,
            _multiple(("a", True), ("b", True), ("c", True), ("d", False)),
            "last",
            Fraction(1, 4),
        ),
        (guess_pattern, _true_false("t", "True"), "first", 1),
        (guess_pattern, _true_false("t", "True"), "last", 0),
    ],
)
def test_guesser_chance_on_one_question(rule, question, way, chance):
    assert rule(question, way) == chance


# ------------------------------------------------------------------------ the shipped banks

SHIPPED_LINE = re.compile(
    r"  (?P<course>[a-z-]+): (?P<drawn>\d+) of (?P<bank>\d+) questions, pass mark "
    r"(?P<mark>\d+)%, (?P<attempts>\d+) attempts: random (<0\.1|\d+\.\d)%, "
    r"longest (<0\.1|\d+\.\d)% \(true/false always (True|False)\), "
    r"keyword (<0\.1|\d+\.\d)% \(true/false always (True|False)\), "
    r"pattern (<0\.1|\d+\.\d)% \((first|last) choice as seen\)"
)


def test_load_command_shipped_courses_prints_every_banks_figures(db, capsys):
    err = io.StringIO()

    call_command("cpd_load_courses", stdout=io.StringIO(), stderr=err)

    lines = err.getvalue().splitlines()
    with capsys.disabled():  # shown in `make test`'s output: every shipped bank's figures
        print("\n" + "\n".join(lines[:5]))
    specs = [course_spec_read(folder) for folder in shipped_course_folders()]
    reports = [bank_report(spec=spec) for spec in specs]
    warnings = [p for report in reports for p in guessing_problems(report)]
    assert lines[0] + "\n" == FIGURES_HEADING
    assert [SHIPPED_LINE.fullmatch(line) is not None for line in lines[1:5]] == [True] * 4
    # Each figure is against the course's own draw, pass mark and attempts.
    assert [
        (m["course"], int(m["drawn"]), int(m["bank"]), int(m["mark"]), int(m["attempts"]))
        for m in map(SHIPPED_LINE.fullmatch, lines[1:5])
    ] == [
        (s.slug, s.questions_per_attempt, len(s.questions), s.pass_mark, s.max_attempts)
        for s in specs
    ]
    assert lines[1:5] == [f"  {report}" for report in reports]
    assert lines[5:] == [f"Warning: {p}" for p in warnings]
    # Every shipped bank resists every guesser: each figure under 5%.
    assert warnings == []
    assert all(figure.pass_probability < GUESS_PASS_LIMIT for r in reports for figure in r.figures)
    assert list(
        CourseVersion.objects.order_by("course__slug").values_list("course__slug", flat=True)
    ) == [
        "annual-safeguarding-update",
        "dsl-refresher",
        "recognising-grooming",
        "safeguarding-induction",
    ]


def test_shipped_refusal_switch_matches_the_banks():
    """Refusing guessable shipped banks is off only while some shipped bank is guessable.
    When this fails because every shipped bank is under 5%, switch
    SHIPPED_GUESSABLE_BANKS_REFUSED on."""
    guessable = {
        report.course: [str(f) for f in report.guessable]
        for report in (bank_report(spec=course_spec_read(f)) for f in shipped_course_folders())
        if report.guessable
    }

    if SHIPPED_GUESSABLE_BANKS_REFUSED:
        assert guessable == {}
    else:
        assert guessable != {}, "every shipped bank resists guessing: switch the refusal on"
