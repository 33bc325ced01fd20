"""The knowledge check: drawn and stored on the server, graded only against what was served,
with the limits and cooldown of the course version."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from certificates.models import Certificate
from courses.models import Answer, Attempt, Enrolment, LessonProgress, Question
from courses.services import LearningError, attempt_start, attempt_submit
from tests.factories import (
    ChoiceFactory,
    CourseVersionFactory,
    EnrolmentFactory,
    LessonFactory,
    ModuleFactory,
    QuestionFactory,
)

pytestmark = pytest.mark.django_db


def build_course(*, bank=6, per_attempt=3, max_attempts=3, cooldown_minutes=30, reveal=True):
    version = CourseVersionFactory(
        questions_per_attempt=per_attempt,
        max_attempts=max_attempts,
        retry_cooldown=timedelta(minutes=cooldown_minutes),
        reveal_answers=reveal,
        pass_mark=60,
    )
    module = ModuleFactory(version=version)
    LessonFactory(module=module)
    for n in range(bank):
        question = QuestionFactory(version=version, module=module, prompt=f"Prompt {n}?")
        for c in range(3):
            ChoiceFactory(question=question, text=f"Answer {n}.{c}", is_correct=(c == 1))
    multiple = QuestionFactory(
        version=version, module=module, kind=Question.Kind.MULTIPLE, prompt="Select all?"
    )
    for c in range(4):
        ChoiceFactory(question=multiple, text=f"Option {c}", is_correct=c < 2)
    return version


def ready_enrolment(version, **kwargs):
    enrolment = EnrolmentFactory(course_version=version, **kwargs)
    for lesson in version.lessons.all():
        LessonProgress.objects.create(
            enrolment=enrolment,
            lesson=lesson,
            started_at=timezone.now(),
            completed_at=timezone.now(),
        )
    return enrolment


def values_of(attempt, question_id: int, choice_ids) -> list[str]:
    """The values the attempt served these choices of this question under."""
    [item] = [item for item in attempt.served if item["question"] == question_id]
    value = dict(zip(item["choices"], item["values"], strict=True))
    return [value[pk] for pk in choice_ids]


def answers_for(attempt, *, correct: bool) -> dict[int, list[str]]:
    """Right (or wrong) answers to every question served, by the values served."""
    answers = {}
    for item in attempt.served:
        question = Question.objects.get(pk=item["question"])
        right = sorted(question.choices.filter(is_correct=True).values_list("pk", flat=True))
        wrong = sorted(question.choices.filter(is_correct=False).values_list("pk", flat=True))
        answers[question.pk] = values_of(attempt, question.pk, right if correct else wrong[:1])
    return answers


def test_attempt_start_draws_and_stores_the_versions_number_of_questions():
    version = build_course(bank=6, per_attempt=3)
    attempt = attempt_start(enrolment=ready_enrolment(version))
    served_ids = [item["question"] for item in attempt.served]
    assert len(served_ids) == 3
    assert len(set(served_ids)) == 3
    bank = set(version.questions.values_list("pk", flat=True))
    assert set(served_ids) <= bank
    for item in attempt.served:
        own = set(Question.objects.get(pk=item["question"]).choices.values_list("pk", flat=True))
        assert sorted(item["choices"]) == sorted(own)


def test_attempt_start_shuffles_questions_and_choices_between_attempts():
    version = build_course(bank=7, per_attempt=7)
    orders = set()
    # Draw repeatedly from a fresh enrolment each time: the served order varies.
    for _ in range(8):
        fresh = ready_enrolment(version)
        served = attempt_start(enrolment=fresh).served
        orders.add(tuple((item["question"], tuple(item["choices"])) for item in served))
    assert len(orders) > 1


def test_attempt_start_before_the_lessons_are_done_is_refused():
    version = build_course()
    enrolment = EnrolmentFactory(course_version=version)
    with pytest.raises(LearningError, match="Finish every lesson before the knowledge check."):
        attempt_start(enrolment=enrolment)
    assert Attempt.objects.count() == 0


def test_attempt_start_returns_the_open_attempt_unchanged():
    enrolment = ready_enrolment(build_course())
    first = attempt_start(enrolment=enrolment)
    again = attempt_start(enrolment=enrolment)
    assert (again.pk, again.served) == (first.pk, first.served)


def test_attempt_submit_all_correct_passes_completes_and_issues_one_certificate(
    django_capture_on_commit_callbacks,
):
    enrolment = ready_enrolment(build_course())
    attempt = attempt_start(enrolment=enrolment)
    with django_capture_on_commit_callbacks(execute=True):
        attempt = attempt_submit(attempt=attempt, answers=answers_for(attempt, correct=True))
    assert (attempt.score, attempt.passed) == (100, True)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.score == 100
    assert len(certificate.pdf_sha256) == 64


def test_attempt_submit_below_pass_mark_fails_without_certificate():
    enrolment = ready_enrolment(build_course())
    attempt = attempt_start(enrolment=enrolment)
    attempt = attempt_submit(attempt=attempt, answers=answers_for(attempt, correct=False))
    assert (attempt.score, attempt.passed) == (0, False)
    assert Certificate.objects.count() == 0
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.IN_PROGRESS


def test_attempt_submit_partly_right_multiple_answer_counts_as_wrong():
    version = build_course(bank=0, per_attempt=1)
    enrolment = ready_enrolment(version)
    attempt = attempt_start(enrolment=enrolment)
    [item] = attempt.served
    one_right = Question.objects.get(pk=item["question"]).choices.filter(is_correct=True)[:1]
    answers = {item["question"]: values_of(attempt, item["question"], [one_right[0].pk])}
    attempt = attempt_submit(attempt=attempt, answers=answers)
    assert (attempt.score, attempt.passed) == (0, False)


def test_attempt_submit_answer_to_unserved_question_is_refused_and_nothing_saved():
    version = build_course(bank=6, per_attempt=3)
    attempt = attempt_start(enrolment=ready_enrolment(version))
    served = {item["question"] for item in attempt.served}
    unserved = version.questions.exclude(pk__in=served).first()
    answers = answers_for(attempt, correct=True)
    answers[unserved.pk] = ["00000000"]
    with pytest.raises(
        LearningError, match="^Answers were sent for questions that were not asked.$"
    ):
        attempt_submit(attempt=attempt, answers=answers)
    attempt.refresh_from_db()
    assert (attempt.submitted_at, attempt.score, Answer.objects.count()) == (None, None, 0)


def test_attempt_submit_choice_from_another_question_is_refused():
    version = build_course(bank=6, per_attempt=3)
    attempt = attempt_start(enrolment=ready_enrolment(version))
    answers = answers_for(attempt, correct=True)
    first, second = list(answers)[:2]
    answers[first] = answers[second]
    with pytest.raises(LearningError, match="^Choose from the answers offered for each question.$"):
        attempt_submit(attempt=attempt, answers=answers)
    assert Answer.objects.count() == 0


def test_attempt_submit_two_choices_for_a_one_answer_question_is_refused():
    version = build_course(bank=3, per_attempt=3)
    attempt = attempt_start(enrolment=ready_enrolment(version))
    answers = answers_for(attempt, correct=True)
    single = next(q for q in answers if Question.objects.get(pk=q).kind == Question.Kind.SINGLE)
    [item] = [item for item in attempt.served if item["question"] == single]
    answers[single] = item["values"][:2]
    with pytest.raises(LearningError, match="^Choose one answer for each one-answer question.$"):
        attempt_submit(attempt=attempt, answers=answers)


def test_attempt_submit_unanswered_question_is_refused():
    attempt = attempt_start(enrolment=ready_enrolment(build_course()))
    answers = answers_for(attempt, correct=True)
    answers.popitem()
    with pytest.raises(LearningError, match="^Answer every question before submitting.$"):
        attempt_submit(attempt=attempt, answers=answers)


def test_attempt_submit_second_submission_is_refused():
    attempt = attempt_start(enrolment=ready_enrolment(build_course()))
    attempt_submit(attempt=attempt, answers=answers_for(attempt, correct=False))
    with pytest.raises(LearningError, match="^This attempt has already been submitted.$"):
        attempt_submit(attempt=attempt, answers=answers_for(attempt, correct=True))
    attempt.refresh_from_db()
    assert (attempt.score, attempt.passed) == (0, False)


def test_attempt_start_inside_the_cooldown_is_refused_until_it_ends():
    enrolment = ready_enrolment(build_course(cooldown_minutes=30))
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        attempt = attempt_start(enrolment=enrolment)
        attempt_submit(attempt=attempt, answers=answers_for(attempt, correct=False))
    with (
        time_machine.travel(start + timedelta(minutes=29, seconds=59), tick=False),
        pytest.raises(LearningError, match="^You can try again from "),
    ):
        attempt_start(enrolment=enrolment)
    assert enrolment.attempts.count() == 1
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        assert attempt_start(enrolment=enrolment).number == 2


def test_attempt_start_beyond_the_limit_is_refused():
    enrolment = ready_enrolment(build_course(max_attempts=2, cooldown_minutes=0))
    for _ in range(2):
        attempt = attempt_start(enrolment=enrolment)
        attempt_submit(attempt=attempt, answers=answers_for(attempt, correct=False))
    with pytest.raises(
        LearningError,
        match=r"^You have used all 2 attempts\. Start the course again to try once more\.$",
    ):
        attempt_start(enrolment=enrolment)
    assert enrolment.attempts.count() == 2
