import math
import random
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.content import CourseSpec
from courses.loading import CheckedCourse, courses_check
from courses.models import (
    Acknowledgement,
    Answer,
    Attempt,
    Choice,
    Course,
    CourseVersion,
    Enrolment,
    Lesson,
    LessonProgress,
    Module,
    Question,
    ScenarioChoice,
)
from courses.signals import course_completed, course_passed
from cpd.audit.services import audit_record
from cpd.errors import Refused
from cpd.models import Membership
from cpd.signals import compliance_changed_after_commit

READING_WORDS_PER_MINUTE = 180


class LearningError(Refused):
    """A learner's request that the rules refuse; the message is shown to them as is."""


@transaction.atomic
def course_load(*, spec: CourseSpec) -> tuple[CourseVersion, bool]:
    """Write a validated course spec. Unchanged content (same hash as the latest version)
    changes nothing; changed content becomes a new version, leaving older versions, and
    everyone enrolled on them, untouched. Returns the version and whether it is new."""
    course, _created = Course.objects.get_or_create(
        slug=spec.slug, defaults={"title": spec.title, "summary": spec.summary}
    )
    latest = course.versions.order_by("-number").first()
    if latest is not None and latest.content_hash == spec.content_hash:
        return latest, False
    if (course.title, course.summary) != (spec.title, spec.summary):
        course.title, course.summary = spec.title, spec.summary
        course.save(update_fields=["title", "summary"])
    version = CourseVersion.objects.create(
        course=course,
        number=(latest.number + 1) if latest else 1,
        content_hash=spec.content_hash,
        published_at=timezone.now(),
        title=spec.title,
        summary=spec.summary,
        audience=spec.audience,
        objectives=spec.objectives,
        reviewed_against=spec.reviewed_against,
        cpd_minutes=spec.cpd_minutes,
        pass_mark=spec.pass_mark,
        questions_per_attempt=spec.questions_per_attempt,
        max_attempts=spec.max_attempts,
        retry_cooldown=timedelta(minutes=spec.retry_cooldown_minutes),
        validity_months=spec.validity_months,
        reveal_answers=spec.reveal_answers,
        word_count=spec.word_count,
    )
    modules = Module.objects.bulk_create(
        Module(version=version, slug=m.slug, title=m.title, position=i)
        for i, m in enumerate(spec.modules, start=1)
    )
    module_by_slug = {m.slug: m for m in modules}
    lesson_rows, scenario_rows = [], []
    position = 0
    for module, module_spec in zip(modules, spec.modules, strict=True):
        for lesson in module_spec.lessons:
            position += 1
            lesson_rows.append(
                Lesson(
                    module=module,
                    version=version,
                    slug=lesson.slug,
                    title=lesson.title,
                    kind=lesson.kind,
                    position=position,
                    body=lesson.body,
                    minutes=lesson.minutes
                    or max(1, math.ceil(lesson.words / READING_WORDS_PER_MINUTE)),
                    sources=lesson.sources,
                    prompt=lesson.prompt,
                    document=lesson.document,
                    document_version=lesson.document_version,
                    statement=lesson.statement,
                )
            )
    lessons = Lesson.objects.bulk_create(lesson_rows)
    all_lesson_specs = [lesson for m in spec.modules for lesson in m.lessons]
    for lesson, lesson_spec in zip(lessons, all_lesson_specs, strict=True):
        scenario_rows.extend(
            ScenarioChoice(
                lesson=lesson,
                position=i,
                text=c["text"],
                feedback=c["feedback"],
                is_best=c["best"],
            )
            for i, c in enumerate(lesson_spec.choices, start=1)
        )
    ScenarioChoice.objects.bulk_create(scenario_rows)
    questions = Question.objects.bulk_create(
        Question(
            version=version,
            key=q.key,
            module=module_by_slug.get(q.module),
            kind=q.kind,
            is_scenario=q.scenario,
            prompt=q.prompt,
            explanation=q.explanation,
            position=i,
        )
        for i, q in enumerate(spec.questions, start=1)
    )
    Choice.objects.bulk_create(
        Choice(
            question=question,
            position=i,
            text=c["text"],
            is_correct=c["correct"],
            feedback=c["feedback"],
        )
        for question, q in zip(questions, spec.questions, strict=True)
        for i, c in enumerate(q.choices, start=1)
    )
    audit_record(
        actor=None,
        action="courses.course_version.published",
        target=version,
        data={"course": course.slug, "number": version.number, "hash": spec.content_hash},
    )
    return version, True


@transaction.atomic
def enrolment_start(*, membership: Membership, course_version: CourseVersion) -> Enrolment:
    """The membership's enrolment on this version in progress, starting one if there is none.
    The database allows only one in progress, so two clicks at once still give one."""
    existing = Enrolment.objects.filter(
        membership=membership,
        course_version=course_version,
        status=Enrolment.Status.IN_PROGRESS,
    ).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                membership=membership,
                course_version=course_version,
                started_at=timezone.now(),
            )
            compliance_changed_after_commit(
                sender=Enrolment, reason="enrolled", user_ids=[membership.user_id]
            )
            return enrolment
    except IntegrityError:
        return Enrolment.objects.get(
            membership=membership,
            course_version=course_version,
            status=Enrolment.Status.IN_PROGRESS,
        )


def _check_in_progress(enrolment: Enrolment) -> None:
    if enrolment.status != Enrolment.Status.IN_PROGRESS:
        raise LearningError(_("This course is already finished."))


@transaction.atomic
def lesson_complete(
    *, enrolment: Enrolment, lesson: Lesson, seconds_spent: int = 0
) -> LessonProgress:
    """Mark a reading lesson done. Scenario and acknowledgement lessons complete through
    their own services, which record what the learner chose or confirmed."""
    _check_in_progress(enrolment)
    if lesson.version_id != enrolment.course_version_id:
        raise LearningError(_("This lesson is not part of your course."))
    if lesson.kind == Lesson.Kind.SCENARIO:
        raise LearningError(_("Choose a response to finish this scenario."))
    if lesson.kind == Lesson.Kind.ACKNOWLEDGEMENT:
        raise LearningError(_("Confirm the statement to finish this lesson."))
    return _progress_done(enrolment, lesson, seconds_spent)


def _progress_done(enrolment, lesson, seconds_spent, **extra) -> LessonProgress:
    now = timezone.now()
    progress, _created = LessonProgress.objects.get_or_create(
        enrolment=enrolment, lesson=lesson, defaults={"started_at": now}
    )
    progress.completed_at = progress.completed_at or now
    progress.seconds_spent += max(0, min(seconds_spent, 3600))
    for name, value in extra.items():
        setattr(progress, name, value)
    progress.save()
    return progress


@transaction.atomic
def scenario_respond(
    *, enrolment: Enrolment, lesson: Lesson, choice_id: int
) -> tuple[LessonProgress, ScenarioChoice]:
    _check_in_progress(enrolment)
    if lesson.version_id != enrolment.course_version_id or lesson.kind != Lesson.Kind.SCENARIO:
        raise LearningError(_("This lesson is not a scenario in your course."))
    choice = lesson.choices.filter(pk=choice_id).first()
    if choice is None:
        raise LearningError(_("Choose one of the responses listed."))
    progress = _progress_done(enrolment, lesson, 0, scenario_choice=choice)
    return progress, choice


@transaction.atomic
def acknowledgement_record(*, enrolment: Enrolment, lesson: Lesson) -> Acknowledgement:
    """Record that the learner has read the lesson's document, with its version and the time."""
    _check_in_progress(enrolment)
    if (
        lesson.version_id != enrolment.course_version_id
        or lesson.kind != Lesson.Kind.ACKNOWLEDGEMENT
    ):
        raise LearningError(_("This lesson has nothing to confirm."))
    acknowledgement = Acknowledgement.objects.filter(enrolment=enrolment, lesson=lesson).first()
    if acknowledgement is None:
        acknowledgement = Acknowledgement.objects.create(
            membership=enrolment.membership,
            enrolment=enrolment,
            lesson=lesson,
            document=lesson.document,
            document_version=lesson.document_version,
            statement=lesson.statement,
            at=timezone.now(),
        )
    _progress_done(enrolment, lesson, 0)
    return acknowledgement


def _lessons_left(enrolment: Enrolment) -> int:
    done = LessonProgress.objects.filter(enrolment=enrolment, completed_at__isnull=False)
    return enrolment.course_version.lessons.exclude(pk__in=done.values("lesson_id")).count()


@transaction.atomic
def attempt_start(*, enrolment: Enrolment) -> Attempt:
    """Serve a knowledge check: the version's number of questions drawn at random from its
    bank, choices shuffled, all stored so that grading reads only what was served. An
    unsubmitted attempt is returned as it is, so reloading the page serves nothing new."""
    _check_in_progress(enrolment)
    version = enrolment.course_version
    open_attempt = enrolment.attempts.filter(submitted_at__isnull=True).first()
    if open_attempt:
        return open_attempt
    if _lessons_left(enrolment):
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
    rng = random.SystemRandom()
    bank = list(version.questions.prefetch_related("choices"))
    drawn = rng.sample(bank, k=min(version.questions_per_attempt, len(bank)))
    served = []
    for question in drawn:
        choice_ids = [c.pk for c in question.choices.all()]
        if question.kind != Question.Kind.TRUE_FALSE:
            rng.shuffle(choice_ids)
        served.append({"question": question.pk, "choices": choice_ids})
    return Attempt.objects.create(
        enrolment=enrolment,
        number=len(submitted) + 1,
        served=served,
        started_at=timezone.now(),
    )


def attempt_submit(*, attempt: Attempt, answers: dict[int, list[int]]) -> Attempt:
    """Grade an attempt against what it served, on the server only.

    ``answers`` maps question id to the chosen choice ids. Refused, with nothing saved:
    a second submission, an answer to a question that was not served, a choice that was not
    offered, several choices for a one-answer question, or a question left unanswered.
    On a pass the enrolment completes and one certificate is issued, however many requests
    submit the same attempt at once."""
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update()
            .select_related("enrolment__course_version", "enrolment__membership__user")
            .get(pk=attempt.pk)
        )
        if attempt.submitted_at is not None:
            raise LearningError(_("This attempt has already been submitted."))
        _check_in_progress(attempt.enrolment)
        served = {item["question"]: item["choices"] for item in attempt.served}
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
        for question_id, choice_ids in answers.items():
            chosen = set(choice_ids)
            if not chosen or not chosen <= set(served[question_id]):
                raise LearningError(_("Choose from the answers offered for each question."))
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


@transaction.atomic
def enrolment_restart(*, enrolment: Enrolment) -> Enrolment:
    """Withdraw an enrolment whose attempts are used up and start afresh on the latest
    version, so the learner goes back through the lessons before trying again."""
    _check_in_progress(enrolment)
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.save(update_fields=["status"])
    latest = enrolment.course_version.course.versions.order_by("-number").first()
    return enrolment_start(membership=enrolment.membership, course_version=latest)


def courses_load(*, folders, strict: bool = False) -> list[tuple[CourseVersion, bool]]:
    """Check every course folder (``courses.loading.courses_check``: its files, and how far
    guessing goes in its knowledge check), then write them all in one transaction. If any is
    refused, ``ContentError`` lists every problem and nothing is written."""
    return courses_publish(courses=courses_check(folders=folders, strict=strict))


@transaction.atomic
def courses_publish(*, courses: list[CheckedCourse]) -> list[tuple[CourseVersion, bool]]:
    """Write courses that ``courses_check`` let through, all in one transaction."""
    return [course_load(spec=checked.spec) for checked in courses]
