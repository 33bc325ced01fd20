"""Item statistics for content reviewers: how each question and each choice behaved in real
attempts, computed as Moodle's quiz statistics report computes them.

For every question, over the submitted attempts that were served it (``n``):

- *facility index*: the mean mark on the question as a percentage of its maximum. A question
  is worth one mark, all or nothing, so this is the percentage of those attempts that got it
  right. Moodle's bands: 95 or more is extremely easy, 10 or less very difficult.
- *discrimination index*: 100 times the correlation between the mark on the question and the
  mark on the rest of the attempt (the attempt's total less this question), with sample
  (``n - 1``) variances and covariance, as Moodle's ``discriminationindex``. Negative means
  that people who did worse on the rest of the check did better on this question: the
  question (or its key) is probably wrong. Undefined when either mark never varies.

For every choice the same two figures, with "picked this choice" (1 or 0) in place of the
mark: how often it was picked, and whether stronger learners picked it. A wrong choice with a
positive discrimination index is a distractor that attracts people who know the material —
often a sign that it is defensible.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from courses.models import Answer, Attempt, Course, CourseVersion, Question
from cpd.errors import NotAllowed, NotFound
from cpd.models import TrustRole

TOO_EASY_FROM = 95
"""A facility index of this or more is flagged "too easy" (Moodle: extremely easy)."""
TOO_HARD_UP_TO = 10
"""A facility index of this or less is flagged "too hard" (Moodle: very difficult)."""


def facility(marks: Sequence[int]) -> float | None:
    """The mean mark as a percentage of the maximum (1): Moodle's facility index."""
    if not marks:
        return None
    return 100 * sum(marks) / len(marks)


def discrimination(marks: Sequence[float], rest: Sequence[float]) -> float | None:
    """100 x the sample correlation of ``marks`` with ``rest``: Moodle's discrimination
    index. ``None`` with fewer than two attempts or when either never varies."""
    n = len(marks)
    if n < 2:
        return None
    mean_mark = sum(marks) / n
    mean_rest = sum(rest) / n
    mark_variance = sum((m - mean_mark) ** 2 for m in marks) / (n - 1)
    rest_variance = sum((r - mean_rest) ** 2 for r in rest) / (n - 1)
    if not mark_variance * rest_variance:
        return None
    pairs = zip(marks, rest, strict=True)
    covariance = sum((m - mean_mark) * (r - mean_rest) for m, r in pairs) / (n - 1)
    return 100 * covariance / math.sqrt(mark_variance * rest_variance)


@dataclass(frozen=True)
class ChoiceStatistics:
    text: str
    is_correct: bool
    picked: int
    """How many of the question's attempts picked this choice."""
    frequency: float | None
    """``picked`` as a percentage of the question's attempts."""
    discrimination: float | None


@dataclass(frozen=True)
class QuestionStatistics:
    position: int
    prompt: str
    kind: str
    attempts: int
    facility: float | None
    discrimination: float | None
    choices: tuple[ChoiceStatistics, ...]

    @property
    def flags(self) -> list[str]:
        """What a reviewer should look at, in words."""
        flags = []
        if self.facility is not None and self.facility >= TOO_EASY_FROM:
            flags.append(str(_("Too easy")))
        if self.facility is not None and self.facility <= TOO_HARD_UP_TO:
            flags.append(str(_("Too hard")))
        if self.discrimination is not None and self.discrimination < 0:
            flags.append(str(_("Discriminates negatively")))
        return flags


@dataclass(frozen=True)
class AnswerRow:
    """One answered question in one submitted attempt."""

    attempt: int
    question: int
    correct: bool
    picked: frozenset[int] = field(default_factory=frozenset)


def question_statistics(
    *, questions: Iterable[Question], answers: Iterable[AnswerRow]
) -> list[QuestionStatistics]:
    """The statistics of each question (with its ``choices`` prefetched), in the order
    given, from the answers of submitted attempts. Pure: no queries of its own."""
    answers = list(answers)
    totals: dict[int, int] = defaultdict(int)
    for row in answers:
        totals[row.attempt] += row.correct
    by_question: dict[int, list[AnswerRow]] = defaultdict(list)
    for row in answers:
        by_question[row.question].append(row)
    result = []
    for question in questions:
        rows = by_question.get(question.pk, [])
        marks = [int(row.correct) for row in rows]
        rest = [totals[row.attempt] - int(row.correct) for row in rows]
        choices = []
        for choice in question.choices.all():
            picks = [int(choice.pk in row.picked) for row in rows]
            choices.append(
                ChoiceStatistics(
                    text=choice.text,
                    is_correct=choice.is_correct,
                    picked=sum(picks),
                    frequency=facility(picks),
                    discrimination=discrimination(picks, rest),
                )
            )
        result.append(
            QuestionStatistics(
                position=question.position,
                prompt=question.prompt,
                kind=question.kind,
                attempts=len(rows),
                facility=facility(marks),
                discrimination=discrimination(marks, rest),
                choices=tuple(choices),
            )
        )
    return result


def reviewer_trust_ids(user) -> list[int] | None:
    """The trusts whose attempts this person may review: ``None`` for a superuser (every
    attempt on the platform); refused for anyone who reviews no trust's content."""
    if user.is_authenticated and user.is_superuser:
        return None
    trusts = (
        list(
            TrustRole.objects.filter(user=user, role=TrustRole.Role.CONTENT_REVIEWER).values_list(
                "trust_id", flat=True
            )
        )
        if user.is_authenticated
        else []
    )
    if not trusts:
        raise NotAllowed(_("Only content reviewers can see item statistics."))
    return trusts


@dataclass(frozen=True)
class VersionStatistics:
    course: Course
    version: CourseVersion
    versions: list[int]
    attempts: int
    questions: list[QuestionStatistics]


def version_statistics(*, user, slug: str, number: int | None = None) -> VersionStatistics:
    """Item statistics for one version of a course (its latest if ``number`` is None), from
    the submitted attempts this person may review: every attempt for a superuser, the
    attempts of their trusts' schools for a trust's content reviewer."""
    trust_ids = reviewer_trust_ids(user)
    course = Course.objects.filter(slug=slug).first()
    if course is None:
        raise NotFound(_("No such course."))
    versions = list(course.versions.order_by("-number").values_list("number", flat=True))
    if not versions or (number is not None and number not in versions):
        raise NotFound(_("No such version of this course."))
    version = course.versions.get(number=versions[0] if number is None else number)
    attempts = Attempt.objects.filter(enrolment__course_version=version, submitted_at__isnull=False)
    if trust_ids is not None:
        attempts = attempts.filter(Q(enrolment__membership__school__trust_id__in=trust_ids))
    rows = list(
        Answer.objects.filter(attempt__in=attempts).values_list(
            "pk", "attempt_id", "question_id", "correct"
        )
    )
    picked: dict[int, set[int]] = defaultdict(set)
    for answer_id, choice_id in Answer.choices.through.objects.filter(
        answer__attempt__in=attempts
    ).values_list("answer_id", "choice_id"):
        picked[answer_id].add(choice_id)
    answers = [
        AnswerRow(attempt=attempt, question=question, correct=correct, picked=frozenset(picked[pk]))
        for pk, attempt, question, correct in rows
    ]
    questions = version.questions.order_by("position").prefetch_related("choices")
    return VersionStatistics(
        course=course,
        version=version,
        versions=versions,
        attempts=len({row.attempt for row in answers}),
        questions=question_statistics(questions=questions, answers=answers),
    )
