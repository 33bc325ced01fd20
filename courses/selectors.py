"""Reads for learning. A learner only ever reaches their own enrolments through these."""

import math
from dataclasses import dataclass
from functools import lru_cache

from django.db import connections
from django.db.models import OuterRef, Subquery
from django.http import Http404

from courses.models import Course, CourseVersion, Enrolment, Lesson, LessonProgress


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
    # The response chosen in a scenario lesson (the lesson player's outline only).
    scenario_choice_id: int | None = None


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
def version_in_use(version_pk: int, content_hash: str) -> tuple[CourseVersion, tuple[Lesson, ...]]:
    """A version and its lessons, with their modules, bodies and scenario choices
    (prefetched: ``lesson.choices.all()`` asks nothing more), for the lesson player.

    Kept by each process: a version's content is fixed once anyone enrols on it (the admin
    makes it read-only; changed content is a new version), and only enrolled learners reach
    the player. Keyed by content hash too, so a reloaded database never meets old lessons.
    The instances are shared between requests: read them, never change them."""
    version = CourseVersion.objects.get(pk=version_pk)
    lessons = (
        Lesson.objects.filter(version_id=version_pk)
        .select_related("module")
        .prefetch_related("choices")
    )
    return version, tuple(lessons.order_by("position"))


def forget_versions_in_use() -> None:
    """Drop this process's copies of versions and lessons (the test suite does, between
    tests)."""
    version_in_use.cache_clear()


def _outline(version, enrolment, lessons, done: set[int], chosen=None) -> CourseOutline:
    chosen = chosen or {}
    entries = [LessonEntry(lesson, lesson.pk in done, chosen.get(lesson.pk)) for lesson in lessons]
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


# Stand-ins for a learner and a course in the lesson player's statement (see below).
_ANY_LEARNER, _ANY_COURSE = -1, "\x00any course"


_PLAYER_ENROLMENT = ("id", "membership_id", "course_version_id", "status")


@lru_cache(maxsize=8)
def _lesson_player_statement(alias: str) -> tuple[str, tuple]:
    """The lesson player's query as SQL, compiled by the ORM once per process and database,
    with stand-ins where each learner's values go."""
    queryset = (
        Enrolment.objects.using(alias)
        .filter(
            membership__user_id=_ANY_LEARNER,
            course_version__course__slug=_ANY_COURSE,
            status=Enrolment.Status.IN_PROGRESS,
        )
        .order_by("-started_at", "-pk")
        .values_list(
            *_PLAYER_ENROLMENT,
            "course_version__content_hash",
            "progress__lesson_id",
            "progress__completed_at",
            "progress__scenario_choice_id",
        )
    )
    sql, params = queryset.query.sql_with_params()
    if params.count(_ANY_LEARNER) != 1 or params.count(_ANY_COURSE) != 1:
        raise AssertionError(f"The lesson player's statement lost a stand-in: {params!r}")
    return sql, params


def lesson_player(*, user, course_slug: str) -> CourseOutline | None:
    """The learner's own enrolment in progress on this course, with its version's lessons
    (bodies included) marked done or not, for the lesson player; None if they have none.

    Every member of staff opens a lesson page a dozen times a course, so this is the
    product's hottest read, and it is kept to one query: the enrolment and its progress
    rows together (a left join, a row per lesson opened), which also name the response
    chosen in each scenario. The version and its lessons come from the process's copy
    (version_in_use), read on the process's first visit to the version.

    Building and compiling that query through the ORM took four times as long as
    PostgreSQL took to answer it (prepared), so the ORM compiles it once per process
    (_lesson_player_statement) and each call runs it with the learner's values. Its
    columns are plain (ids, text, and a date only tested for NULL), so the rows need none
    of Django's conversions. The enrolment is built from its row with only the columns the
    player uses (the others load if asked for); its version is the shared copy, to be
    read and never changed."""
    alias = Enrolment.objects.db
    sql, stand_ins = _lesson_player_statement(alias)
    values = {_ANY_LEARNER: user.pk, _ANY_COURSE: course_slug}
    params = [values.get(param, param) for param in stand_ins]
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    # Someone in two schools may have an enrolment in progress through each: the latest.
    latest = rows[0]
    width = len(_PLAYER_ENROLMENT)
    enrolment = Enrolment.from_db(alias, _PLAYER_ENROLMENT, latest[:width])
    version, lessons = version_in_use(enrolment.course_version_id, latest[width])
    enrolment.course_version = version
    done, chosen = set(), {}
    for row in rows:
        if row[0] != enrolment.pk:
            continue
        lesson_id, completed_at, choice_id = row[width + 1 :]
        if completed_at is not None:
            done.add(lesson_id)
        if choice_id is not None:
            chosen[lesson_id] = choice_id
    return _outline(version, enrolment, lessons, done, chosen)
