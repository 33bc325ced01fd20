"""Reads for learning. A learner only ever reaches their own enrolments through these."""

import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404

from courses.models import Course, CourseVersion, Enrolment, Lesson, LessonProgress
from cpd.selectors import ComplianceRow, Status, compliance_rows, memberships_of


def published_courses():
    """Courses that have at least one version, each with ``latest_version_id`` annotated."""
    latest = CourseVersion.objects.filter(course=OuterRef("pk")).order_by("-number")
    return (
        Course.objects.annotate(latest_version_id=Subquery(latest.values("pk")[:1]))
        .filter(latest_version_id__isnull=False)
        .order_by("title")
    )


def course_for_learner(*, slug: str) -> Course:
    course = published_courses().filter(slug=slug).first()
    if course is None:
        raise Http404("No such course.")
    return course


def learner_enrolment(*, user, course: Course) -> Enrolment | None:
    """The learner's enrolment in progress on any version of the course, else their most
    recently completed one."""
    return (
        Enrolment.objects.filter(membership__user=user, course_version__course=course)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("course_version", "membership__school")
        .order_by(
            # in_progress sorts before completed
            "-status",
            "-started_at",
        )
        .first()
    )


def enrolment_in_progress(*, user, course_slug: str) -> Enrolment | None:
    """The learner's own enrolment in progress on the course with this slug, if any."""
    return (
        Enrolment.objects.filter(
            membership__user=user,
            course_version__course__slug=course_slug,
            status=Enrolment.Status.IN_PROGRESS,
        )
        .select_related("course_version__course")
        .order_by("-started_at")
        .first()
    )


def version_for_learner(*, course: Course, enrolment: Enrolment | None) -> CourseVersion:
    if enrolment is not None and enrolment.status == Enrolment.Status.IN_PROGRESS:
        return enrolment.course_version
    return CourseVersion.objects.get(pk=course.latest_version_id)


@dataclass
class LessonEntry:
    lesson: Lesson
    done: bool


@dataclass
class CourseOutline:
    version: CourseVersion
    enrolment: Enrolment | None
    modules: list[tuple]  # (module, [LessonEntry])
    lessons: list[LessonEntry]

    @property
    def done_count(self) -> int:
        return sum(entry.done for entry in self.lessons)

    @property
    def all_done(self) -> bool:
        return bool(self.lessons) and self.done_count == len(self.lessons)

    @property
    def minutes_left(self) -> int:
        return sum(entry.lesson.minutes for entry in self.lessons if not entry.done)

    @property
    def next_lesson(self) -> Lesson | None:
        for entry in self.lessons:
            if not entry.done:
                return entry.lesson
        return None

    @property
    def estimated_minutes(self) -> int:
        return sum(entry.lesson.minutes for entry in self.lessons) + math.ceil(
            self.version.questions_per_attempt * 0.75
        )


@lru_cache(maxsize=64)
def _version_in_use(version_pk: int, content_hash: str) -> tuple[CourseVersion, tuple[Lesson, ...]]:
    version = CourseVersion.objects.get(pk=version_pk)
    lessons = Lesson.objects.filter(version_id=version_pk).select_related("module")
    return version, tuple(lessons.order_by("position"))


def version_lessons(version: CourseVersion) -> tuple[Lesson, ...]:
    """A version's lessons with their modules and bodies, for the lesson player. Kept by
    each process: a version's content is fixed once anyone enrols on it (the admin makes it
    read-only; changed content is a new version), and only enrolled learners reach the
    player. Keyed by content hash too, so a reloaded database never meets old lessons.
    The instances are shared between requests: read them, never change them."""
    return _version_in_use(version.pk, version.content_hash)[1]


def forget_version_lessons() -> None:
    """Drop this process's copies of versions and lessons (the test suite does, between
    tests)."""
    _version_in_use.cache_clear()


def _outline(version, enrolment, lessons, done: set[int]) -> CourseOutline:
    entries = [LessonEntry(lesson, lesson.pk in done) for lesson in lessons]
    modules: dict[int, tuple] = {}
    for entry in entries:
        modules.setdefault(entry.lesson.module_id, (entry.lesson.module, []))[1].append(entry)
    return CourseOutline(
        version=version, enrolment=enrolment, modules=list(modules.values()), lessons=entries
    )


def course_outline(*, version: CourseVersion, enrolment: Enrolment | None) -> CourseOutline:
    """Modules and lessons of a version (without their bodies) with this enrolment's
    progress: two queries."""
    lessons = version.lessons.select_related("module").order_by("position").defer("body")
    done = set()
    if enrolment is not None:
        done = set(
            LessonProgress.objects.filter(
                enrolment=enrolment, completed_at__isnull=False
            ).values_list("lesson_id", flat=True)
        )
    return _outline(version, enrolment, list(lessons), done)


def lesson_player(*, user, course_slug: str) -> CourseOutline | None:
    """The learner's own enrolment in progress on this course, with its version's lessons
    (bodies included) marked done or not, for the lesson player; None if they have none.

    Every member of staff opens a lesson page a dozen times a course, so it is one query:
    the enrolment and its progress rows together (a left join, a row per lesson done).
    The version and its lessons come from the process's copy (version_lessons), read on
    the process's first visit to the version. The enrolment is built from its row; its
    version is the shared copy, to be read and never changed."""
    fields = [field.attname for field in Enrolment._meta.concrete_fields]
    key = fields.index(Enrolment._meta.pk.attname)
    enrolments = (
        Enrolment.objects.filter(
            membership__user=user,
            course_version__course__slug=course_slug,
            status=Enrolment.Status.IN_PROGRESS,
        )
        .order_by("-started_at", "-pk")
        .values_list(
            *fields,
            "course_version__content_hash",
            "progress__lesson_id",
            "progress__completed_at",
        )
    )
    rows = list(enrolments)
    if not rows:
        return None
    # Someone in two schools may have an enrolment in progress through each: the latest.
    *values, content_hash, _, _ = rows[0]
    enrolment = Enrolment.from_db(enrolments.db, fields, values)
    version, lessons = _version_in_use(enrolment.course_version_id, content_hash)
    enrolment.course_version = version
    done = {
        lesson_id
        for *values, _, lesson_id, completed_at in rows
        if values[key] == enrolment.pk and completed_at is not None
    }
    return _outline(version, enrolment, lessons, done)


@dataclass
class TrainingItem:
    course: Course
    row: ComplianceRow | None
    enrolment: Enrolment | None
    lessons_done: int = 0
    lessons_total: int = 0

    @property
    def urgency(self) -> int:
        return Status.URGENCY.index(self.row.status) if self.row else len(Status.URGENCY)


@dataclass
class MyTraining:
    memberships: list
    required: list[TrainingItem]
    optional: list[TrainingItem]


def my_training(*, user, on: date) -> MyTraining:
    """Every course that applies to this person through any of their schools' requirements,
    most urgent first, and the other courses they may take. A fixed number of queries."""
    memberships = list(memberships_of(user=user, on=on))
    rows = compliance_rows(memberships=memberships, on=on)
    courses = {c.pk: c for c in published_courses()}
    enrolments = {}
    for enrolment in (
        Enrolment.objects.filter(membership__user=user)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("course_version")
        .annotate(
            lessons_done=Count("progress", filter=Q(progress__completed_at__isnull=False)),
        )
        .order_by("started_at")
    ):
        course_id = enrolment.course_version.course_id
        current = enrolments.get(course_id)
        if current is None or current.status != Enrolment.Status.IN_PROGRESS:
            enrolments[course_id] = enrolment
    lesson_totals = dict(
        CourseVersion.objects.filter(pk__in=[e.course_version_id for e in enrolments.values()])
        .annotate(total=Count("lessons"))
        .values_list("pk", "total")
    )

    def item(course, row=None):
        enrolment = enrolments.get(course.pk)
        return TrainingItem(
            course=course,
            row=row,
            enrolment=enrolment,
            lessons_done=getattr(enrolment, "lessons_done", 0),
            lessons_total=lesson_totals.get(getattr(enrolment, "course_version_id", None), 0),
        )

    required, seen = [], set()
    for row in rows:
        if row.requirement.course_id in courses:
            required.append(item(courses[row.requirement.course_id], row))
            seen.add(row.requirement.course_id)
    required.sort(key=lambda i: (i.urgency, i.row.due_on or date.max, i.course.title))
    optional = [item(c) for pk, c in courses.items() if pk not in seen] if memberships else []
    return MyTraining(memberships=memberships, required=required, optional=optional)
