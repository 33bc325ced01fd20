"""Checking course folders before anything is written: every file, and how far guessing
goes in each knowledge check (``item_quality``)."""

from dataclasses import dataclass
from pathlib import Path

from courses.loading.course import course_is_shipped, course_spec_read
from courses.loading.item_quality import GUESS_PASS_LIMIT, BankReport, bank_report, percent
from courses.loading.spec import ContentError, CourseSpec, Problem
from cpd.conf import cpd_settings

SHIPPED_GUESSABLE_BANKS_REFUSED = True
"""Whether a shipped course (a folder under ``courses/content/``) whose knowledge check a
guesser passes ``GUESS_PASS_LIMIT`` of the time or more is refused, rather than loaded with a
warning. On: every shipped bank is under the limit, and must stay so. (It was off while the
shipped banks were rewritten; ``test_shipped_refusal_switch_matches_the_banks`` keeps the
switch and the banks in step.)"""


@dataclass(frozen=True)
class CheckedCourse:
    """A course folder that may be written, with its guessing figures and any warnings."""

    spec: CourseSpec
    report: BankReport
    shipped: bool
    warnings: tuple[Problem, ...]


class CoursesRefused(ContentError):
    """Nothing may be written; ``reports`` holds the guessing figures of every folder that
    could be read, refused or not."""

    def __init__(self, problems: list[Problem], reports: list[BankReport]):
        super().__init__(problems)
        self.reports = reports


def guessing_refused(
    *, shipped: bool, strict: bool, shipped_refused: bool = SHIPPED_GUESSABLE_BANKS_REFUSED
) -> bool:
    """Whether a guessable bank is refused: always when strict, and for a shipped course
    once ``SHIPPED_GUESSABLE_BANKS_REFUSED`` is on. Otherwise it is loaded with a warning."""
    return strict or (shipped and shipped_refused)


def guessing_problems(report: BankReport) -> list[Problem]:
    """One problem for each guesser that passes the bank too often, naming its figure."""
    attempts = "attempt" if report.max_attempts == 1 else "attempts"
    problems = []
    for figure in report.guessable:
        problems.append(
            Problem(
                f"{report.course}/questions.yaml",
                "questions",
                f"guessable: the {figure.guesser} guesser ({figure.how}) passes "
                f"{figure.percent} of the time within {report.max_attempts} {attempts} "
                f"without reading anything; every guesser must pass under "
                f"{percent(GUESS_PASS_LIMIT)}",
            )
        )
    return problems


def courses_check(*, folders: list[Path], strict: bool = False) -> list[CheckedCourse]:
    """Read and check every folder. Raises ``CoursesRefused`` listing every problem in every
    folder if any is refused: a broken file, a repeated question or choice, a module the
    check never asks about, two folders with one slug, or (when ``guessing_refused``) a
    bank a guesser passes ``GUESS_PASS_LIMIT`` of the time or more. ``strict``, or the
    ``CPD_REFUSE_GUESSABLE_BANKS`` setting, refuses every guessable bank."""
    strict = strict or cpd_settings.REFUSE_GUESSABLE_BANKS
    checked, problems, reports, slugs = [], [], [], []
    for folder in folders:
        try:
            spec = course_spec_read(folder)
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        slugs.append(spec.slug)
        report = bank_report(spec=spec)
        reports.append(report)
        shipped = course_is_shipped(folder)
        guessing = guessing_problems(report)
        if guessing and guessing_refused(shipped=shipped, strict=strict):
            problems.extend(guessing)
            continue
        checked.append(CheckedCourse(spec, report, shipped, tuple(guessing)))
    for slug in sorted({s for s in slugs if slugs.count(s) > 1}):
        problems.append(Problem(slug, "", "two folders define the same course slug"))
    if problems:
        raise CoursesRefused(problems, reports)
    return checked
