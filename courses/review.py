"""Reads for the knowledge check's attempts: which are the learner's, and what each one
shows before and after submission. The attempt pages and the API read attempts here."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from courses.models import Attempt, Choice, Question
from courses.selectors import course_for_learner, learner_enrolment
from cpd.errors import NotFound


def learner_attempts(*, user) -> QuerySet[Attempt]:
    """The learner's own attempts, latest first."""
    return (
        Attempt.objects.filter(enrolment__membership__user=user)
        .select_related("enrolment__course_version__course")
        .order_by("-started_at", "-pk")
    )


def learner_attempt(*, user, course_slug: str, number: int) -> Attempt:
    """Attempt ``number`` of the learner's enrolment on this course (the one in progress,
    else the latest completed); ``NotFound`` if they have no such attempt."""
    course = course_for_learner(slug=course_slug)
    enrolment = learner_enrolment(user=user, course=course)
    attempt = enrolment.attempts.filter(number=number).first() if enrolment else None
    if attempt is None:
        raise NotFound(_("No such attempt."))
    enrolment.course_version.course = course
    attempt.enrolment = enrolment
    return attempt


@dataclass
class ReviewedQuestion:
    question: Question
    correct: bool
    #: (choice, whether the learner chose it), in the order they were served
    choices: list[tuple[Choice, bool]]


@dataclass
class AttemptReview:
    attempt: Attempt
    #: The questions served, each with ``served_choices`` in the served order, each choice
    #: with the ``value`` this attempt serves it under.
    questions: list[Question]
    #: After submission, and only if the version shows answers: what was right and why.
    review: list[ReviewedQuestion] | None


def attempt_review(*, attempt: Attempt) -> AttemptReview:
    """An attempt's questions in the served order, and once it is submitted, if its
    course version shows answers, the review: each question with its explanation, the
    choices served, which the learner chose and which are correct. The attempt page, its
    result page and the API all read attempts here; before submission nothing in it says
    which choice is right."""
    served_ids = [item["question"] for item in attempt.served]
    by_id = {
        q.pk: q for q in Question.objects.filter(pk__in=served_ids).prefetch_related("choices")
    }
    questions = []
    for item in attempt.served:
        question = by_id[item["question"]]
        choices = {c.pk: c for c in question.choices.all()}
        question.served_choices = []
        for pk, value in zip(item["choices"], item["values"], strict=True):
            choices[pk].value = value
            question.served_choices.append(choices[pk])
        questions.append(question)
    review = None
    if attempt.submitted_at is not None and attempt.enrolment.course_version.reveal_answers:
        answers = {a.question_id: a for a in attempt.answers.prefetch_related("choices")}
        review = []
        for question in questions:
            answer = answers.get(question.pk)
            chosen = {c.pk for c in answer.choices.all()} if answer else set()
            review.append(
                ReviewedQuestion(
                    question=question,
                    correct=bool(answer and answer.correct),
                    choices=[(c, c.pk in chosen) for c in question.served_choices],
                )
            )
    return AttemptReview(attempt=attempt, questions=questions, review=review)
