"""Learning: starting a course, and finishing its lessons."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.errors import LearningError
from courses.models import (
    Acknowledgement,
    Course,
    CourseVersion,
    Enrolment,
    Lesson,
    LessonProgress,
    ScenarioChoice,
)
from courses.selectors import scenario_served
from cpd.models import Membership
from cpd.people.selectors import memberships_of
from cpd.signals import compliance_changed_after_commit


def course_enrol(*, user, course: Course, school_slug: str | None = None, on: date) -> Enrolment:
    """Start a course for a learner, or resume it: their enrolment in progress on any
    version of it through the school they take it for, else a new one on its latest
    version. ``school_slug`` is needed only by someone in several schools. The page and the
    API both start courses here."""
    memberships = list(memberships_of(user=user, on=on))
    if school_slug is not None:
        memberships = [m for m in memberships if m.school.slug == school_slug]
        if not memberships:
            raise LearningError(_("You are not a member of this school."))
    if not memberships:
        raise LearningError(_("You are not a member of a school."))
    if len(memberships) > 1:
        raise LearningError(_("You belong to several schools: say which one this is for."))
    [membership] = memberships
    in_progress = (
        Enrolment.objects.filter(
            membership=membership,
            course_version__course=course,
            status=Enrolment.Status.IN_PROGRESS,
        )
        .order_by("-started_at", "-pk")
        .first()
    )
    if in_progress is not None:
        return in_progress
    latest = course.versions.order_by("-number").first()
    return enrolment_start(membership=membership, course_version=latest)


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


@transaction.atomic
def enrolment_restart(*, enrolment: Enrolment) -> Enrolment:
    """Withdraw an enrolment whose attempts are used up and start afresh on the latest
    version, so the learner goes back through the lessons before trying again."""
    refuse_unless_in_progress(enrolment)
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.save(update_fields=["status"])
    latest = enrolment.course_version.course.versions.order_by("-number").first()
    return enrolment_start(membership=enrolment.membership, course_version=latest)


def lesson_finish(
    *,
    enrolment: Enrolment,
    lesson: Lesson,
    choice: str | None = None,
    confirmed: bool = False,
    document: int | None = None,
    seconds_spent: int = 0,
) -> None:
    """Finish a lesson as its kind asks: a reading lesson as it is, a scenario with the
    learner's response (``choice``: the value the enrolment is offered it under, from
    ``courses.selectors.scenario_served``), an acknowledgement once they have ``confirmed`` the
    statement (and, where it offers several documents, said which they read: ``document``,
    from 1). The lesson page and the API both finish lessons here."""
    refuse_unless_in_progress(enrolment)
    if lesson.kind == Lesson.Kind.SCENARIO:
        if choice is None:
            raise LearningError(_("Choose a response to finish this scenario."))
        scenario_respond(enrolment=enrolment, lesson=lesson, choice=choice)
    elif lesson.kind == Lesson.Kind.ACKNOWLEDGEMENT:
        if not confirmed:
            raise LearningError(_("Confirm the statement to finish this lesson."))
        acknowledgement_record(enrolment=enrolment, lesson=lesson, document=document)
    else:
        lesson_complete(enrolment=enrolment, lesson=lesson, seconds_spent=seconds_spent)


def refuse_unless_in_progress(enrolment: Enrolment) -> None:
    if enrolment.status != Enrolment.Status.IN_PROGRESS:
        raise LearningError(_("This course is already finished."))


@transaction.atomic
def lesson_complete(
    *, enrolment: Enrolment, lesson: Lesson, seconds_spent: int = 0
) -> LessonProgress:
    """Mark a reading lesson done. Scenario and acknowledgement lessons complete through
    their own services, which record what the learner chose or confirmed."""
    refuse_unless_in_progress(enrolment)
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
    *, enrolment: Enrolment, lesson: Lesson, choice: str
) -> tuple[LessonProgress, ScenarioChoice]:
    """Record the learner's response to a scenario: ``choice`` is the value this enrolment
    is offered it under (``courses.selectors.scenario_served``)."""
    refuse_unless_in_progress(enrolment)
    if lesson.version_id != enrolment.course_version_id or lesson.kind != Lesson.Kind.SCENARIO:
        raise LearningError(_("This lesson is not a scenario in your course."))
    offered = scenario_served(enrolment_id=enrolment.pk, choices=list(lesson.choices.all()))
    chosen = next((c for c in offered if c.value == choice), None)
    if chosen is None:
        raise LearningError(_("Choose one of the responses listed."))
    progress = _progress_done(enrolment, lesson, 0, scenario_choice=chosen)
    return progress, chosen


@transaction.atomic
def acknowledgement_record(
    *, enrolment: Enrolment, lesson: Lesson, document: int | None = None
) -> Acknowledgement:
    """Record that the learner has read the lesson's document, with its version and the time.
    Where the lesson offers several documents, ``document`` (from 1) says which they read,
    and that one's name and statement are recorded."""
    refuse_unless_in_progress(enrolment)
    if (
        lesson.version_id != enrolment.course_version_id
        or lesson.kind != Lesson.Kind.ACKNOWLEDGEMENT
    ):
        raise LearningError(_("This lesson has nothing to confirm."))
    name, statement = lesson.document, lesson.statement
    if lesson.documents:
        if document is None or not 1 <= document <= len(lesson.documents):
            raise LearningError(_("Choose the document you have read."))
        chosen = lesson.documents[document - 1]
        name, statement = chosen["document"], chosen["statement"]
    acknowledgement = Acknowledgement.objects.filter(enrolment=enrolment, lesson=lesson).first()
    if acknowledgement is None:
        acknowledgement = Acknowledgement.objects.create(
            membership=enrolment.membership,
            enrolment=enrolment,
            lesson=lesson,
            document=name,
            document_version=lesson.document_version,
            statement=statement,
            at=timezone.now(),
        )
    _progress_done(enrolment, lesson, 0)
    return acknowledgement


def lessons_left(enrolment: Enrolment) -> int:
    done = LessonProgress.objects.filter(enrolment=enrolment, completed_at__isnull=False)
    return enrolment.course_version.lessons.exclude(pk__in=done.values("lesson_id")).count()
