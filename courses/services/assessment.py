"""The knowledge check: serving an attempt, grading it, and completing the course."""

import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import xapi
from courses.errors import LearningError
from courses.models import Answer, Attempt, Enrolment, Question
from courses.services.learning import lessons_left, refuse_unless_in_progress
from courses.signals import course_completed, course_passed
from courses.tasks import xapi_attempt_send_task
from cpd.queue import enqueue_after_commit


@transaction.atomic
def attempt_start(*, enrolment: Enrolment, rng: random.Random | None = None) -> Attempt:
    """Serve a knowledge check: the version's number of questions drawn at random from its
    bank, choices shuffled, all stored so that grading reads only what was served. An
    unsubmitted attempt is returned as it is, so reloading the page serves nothing new.

    Each choice is served under a value drawn at random for this attempt (``values``,
    beside the choice ids in ``served``): the page and the API show only those, so nothing
    a learner can read (ids follow the order a bank was written in) says which is right.
    ``rng`` is the randomness (the system's unless a test seeds its own)."""
    refuse_unless_in_progress(enrolment)
    version = enrolment.course_version
    open_attempt = enrolment.attempts.filter(submitted_at__isnull=True).first()
    if open_attempt:
        return open_attempt
    if lessons_left(enrolment):
        raise LearningError(_("Finish every lesson before the knowledge check."))
    submitted = list(enrolment.attempts.order_by("number"))
    if len(submitted) >= version.max_attempts:
        raise LearningError(
            _("You have used all %(count)d attempts. Start the course again to try once more.")
            % {"count": version.max_attempts}
        )
    if submitted:
        ready_at = submitted[-1].submitted_at + version.retry_cooldown
        if timezone.now() < ready_at:
            raise LearningError(
                _("You can try again from %(time)s. Use the time to look back over the lessons.")
                % {"time": timezone.localtime(ready_at).strftime("%H:%M on %d %B %Y")}
            )
    rng = rng or random.SystemRandom()
    bank = list(version.questions.prefetch_related("choices"))
    drawn = rng.sample(bank, k=min(version.questions_per_attempt, len(bank)))
    served = []
    for question in drawn:
        choice_ids = [c.pk for c in question.choices.all()]
        if question.kind != Question.Kind.TRUE_FALSE:
            rng.shuffle(choice_ids)
        served.append(
            {
                "question": question.pk,
                "choices": choice_ids,
                "values": served_values(rng, choice_ids),
            }
        )
    return Attempt.objects.create(
        enrolment=enrolment,
        number=len(submitted) + 1,
        served=served,
        started_at=timezone.now(),
    )


def served_values(rng: random.Random, choice_ids: list[int]) -> list[str]:
    """Distinct random values for a question's served choices, one each, in the served
    order: eight hex digits, so their order says nothing either."""
    return [f"{number:08x}" for number in rng.sample(range(2**32), len(choice_ids))]


def attempt_submit(*, attempt: Attempt, answers: dict[int, list[str]]) -> Attempt:
    """Grade an attempt against what it served, on the server only.

    ``answers`` maps question id to the values of the chosen choices, as the attempt served
    them; the stored attempt maps them back to its choices. Refused, with nothing saved:
    a second submission, an answer to a question that was not served, a choice that was not
    offered, several choices for a one-answer question, or a question left unanswered.
    On a pass the enrolment completes and one certificate is issued, however many requests
    submit the same attempt at once. After commit, the attempt's xAPI statements are sent
    (when an LRS is configured)."""
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update()
            .select_related("enrolment__course_version", "enrolment__membership__user")
            .get(pk=attempt.pk)
        )
        if attempt.submitted_at is not None:
            raise LearningError(_("This attempt has already been submitted."))
        refuse_unless_in_progress(attempt.enrolment)
        served = {
            item["question"]: dict(zip(item["values"], item["choices"], strict=True))
            for item in attempt.served
        }
        unknown = set(answers) - set(served)
        if unknown:
            raise LearningError(_("Answers were sent for questions that were not asked."))
        if set(answers) != set(served):
            raise LearningError(_("Answer every question before submitting."))
        questions = {
            q.pk: q for q in Question.objects.filter(pk__in=served).prefetch_related("choices")
        }
        correct_count = 0
        answer_rows = []
        for question_id, values in answers.items():
            offered = served[question_id]
            if not values or not set(values) <= set(offered):
                raise LearningError(_("Choose from the answers offered for each question."))
            chosen = {offered[value] for value in values}
            question = questions[question_id]
            if question.kind != Question.Kind.MULTIPLE and len(chosen) > 1:
                raise LearningError(_("Choose one answer for each one-answer question."))
            right = {c.pk for c in question.choices.all() if c.is_correct}
            correct = chosen == right
            correct_count += correct
            answer_rows.append(
                (Answer(attempt=attempt, question=question, correct=correct), chosen)
            )
        Answer.objects.bulk_create(row for row, _chosen in answer_rows)
        Answer.choices.through.objects.bulk_create(
            Answer.choices.through(answer_id=row.pk, choice_id=choice_id)
            for row, chosen in answer_rows
            for choice_id in sorted(chosen)
        )
        version = attempt.enrolment.course_version
        attempt.score = round(100 * correct_count / len(served))
        attempt.passed = attempt.score >= version.pass_mark
        attempt.submitted_at = timezone.now()
        attempt.save(update_fields=["score", "passed", "submitted_at"])
        if attempt.passed:
            enrolment_complete(enrolment=attempt.enrolment, attempt=attempt)
        if xapi.xapi_enabled():
            enqueue_after_commit(xapi_attempt_send_task, attempt.pk)
    return attempt


def enrolment_complete(*, enrolment: Enrolment, attempt: Attempt):
    """Complete the enrolment in the caller's transaction, and send ``course_passed`` in it
    too: the certificates app, a floor above, issues the certificate there, so a failed
    issue rolls the completion back. Returns what a receiver issued (the certificate)."""
    now = timezone.now()
    Enrolment.objects.filter(pk=enrolment.pk).update(
        status=Enrolment.Status.COMPLETED, completed_at=now
    )
    enrolment.status, enrolment.completed_at = Enrolment.Status.COMPLETED, now
    issued = course_passed.send(sender=Enrolment, enrolment=enrolment, attempt=attempt)
    certificate = next((result for _receiver, result in issued if result is not None), None)
    transaction.on_commit(
        lambda: course_completed.send_robust(sender=Enrolment, enrolment=enrolment, attempt=attempt)
    )
    return certificate
