"""Reads for learning. A learner only ever reaches their own enrolments through these."""

import math
import re
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from courses.models import (
    Course,
    CourseVersion,
    Enrolment,
    GuidanceEdition,
    Lesson,
    LessonProgress,
    Module,
    ScenarioChoice,
)
from cpd.errors import NotFound
from cpd.models import Membership

#: How long the cache keeps a version's content. Their content never changes under one key.
VERSION_CONTENT_SECONDS = 24 * 60 * 60


def published_courses():
    """Courses that have at least one version, each with ``latest_version_id`` annotated."""
    latest = CourseVersion.objects.filter(course=OuterRef("pk")).order_by("-number")
    return (
        Course.objects.annotate(latest_version_id=Subquery(latest.values("pk")[:1]))
        .filter(latest_version_id__isnull=False)
        .order_by("title")
    )


def course_for_learner(*, slug: str) -> Course:
    """A published course; ``NotFound`` if there is none with this slug."""
    course = published_courses().filter(slug=slug).first()
    if course is None:
        raise NotFound(_("No such course."))
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
    # The lesson player's outline only: the response chosen in a scenario lesson, and the
    # responses it offers, as ``scenario_served`` serves them.
    scenario_choice_id: int | None = None
    choices: list[ScenarioChoice] = field(default_factory=list)


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


def scenario_served(*, enrolment_id: int, choices: list[ScenarioChoice]) -> list[ScenarioChoice]:
    """A scenario's responses as this enrolment is offered them: each with a ``value`` of
    its own for this enrolment (a keyed hash of the enrolment and the response, never the
    response's id), in the order of those values, so that neither the values nor the order
    follow the order the responses were written in (the best was usually written first)."""
    for choice in choices:
        choice.value = salted_hmac(
            "courses.scenario-choice", f"{enrolment_id}:{choice.pk}", algorithm="sha256"
        ).hexdigest()[:12]
    return sorted(choices, key=lambda choice: choice.value)


def _outline(version, enrolment, lessons, done: set[int], chosen=None, choices=None):
    chosen, choices = chosen or {}, choices or {}
    if enrolment is not None:
        choices = {
            lesson_id: scenario_served(enrolment_id=enrolment.pk, choices=offered)
            for lesson_id, offered in choices.items()
        }
    entries = [
        LessonEntry(lesson, lesson.pk in done, chosen.get(lesson.pk), choices.get(lesson.pk, []))
        for lesson in lessons
    ]
    modules: dict[int, tuple] = {}
    for entry in entries:
        modules.setdefault(entry.lesson.module_id, (entry.lesson.module, []))[1].append(entry)
    return CourseOutline(
        version=version, enrolment=enrolment, modules=list(modules.values()), lessons=entries
    )


def course_outline(
    *, version: CourseVersion, enrolment: Enrolment | None, with_choices: bool = False
) -> CourseOutline:
    """Modules and lessons of a version (without their bodies) with this enrolment's
    progress: two queries; a third ``with_choices``, for the scenarios' responses as the
    enrolment is offered them."""
    lessons = version.lessons.select_related("module").order_by("position").defer("body")
    done = set()
    if enrolment is not None:
        done = set(
            LessonProgress.objects.filter(
                enrolment=enrolment, completed_at__isnull=False
            ).values_list("lesson_id", flat=True)
        )
    choices: dict[int, list[ScenarioChoice]] = {}
    if with_choices and enrolment is not None:
        for choice in ScenarioChoice.objects.filter(lesson__version=version):
            choices.setdefault(choice.lesson_id, []).append(choice)
    return _outline(version, enrolment, list(lessons), done, choices=choices)


@dataclass
class VersionContent:
    """A version's content as the lesson player shows it."""

    version: CourseVersion
    #: In order, each with its module.
    lessons: list[Lesson]
    #: Each scenario lesson's responses, in order, by lesson id.
    choices: dict[int, list[ScenarioChoice]]


def version_content(*, version_id: int, content_hash: str) -> VersionContent:
    """A version, its lessons (bodies included) and their scenario responses, for the
    lesson player.

    Kept in Django's cache (three queries saved on every lesson page), which is sound
    because a version's content cannot change once anyone is enrolled on it
    (``courses.querysets``), and only enrolled learners reach the player. Keyed by the
    version's content hash as well as its id, so a reloaded database never meets old
    lessons. Each read is a fresh copy, so a caller may change what it gets. The
    responses are kept apart from their lessons, as plain lists: a prefetched query set
    pickles its whole query, which tripled the time a read took."""
    key = f"courses:version-content:{version_id}:{content_hash}"
    content = cache.get(key)
    if content is None:
        version = CourseVersion.objects.get(pk=version_id)
        lessons = list(
            Lesson.objects.filter(version_id=version_id)
            .select_related("module")
            .order_by("position")
        )
        # One instance per module, so that the cache keeps (and a read rebuilds) each once.
        modules: dict[int, Module] = {}
        for lesson in lessons:
            lesson.module = modules.setdefault(lesson.module_id, lesson.module)
        choices: dict[int, list[ScenarioChoice]] = {}
        if lessons:
            for choice in ScenarioChoice.objects.filter(lesson__version_id=version_id).order_by(
                "lesson_id", "position"
            ):
                choices.setdefault(choice.lesson_id, []).append(choice)
        content = VersionContent(version=version, lessons=lessons, choices=choices)
        cache.set(key, content, timeout=VERSION_CONTENT_SECONDS)
    return content


# The lesson player's enrolments in progress, each row with one of its progress rows (a left
# join). Annotated once, here: doing it on every page was a quarter of the query's cost in
# the ORM. Each page filters a copy, and orders its few rows itself (compiling an ORDER BY
# cost as much again).
_PLAYER_ROWS = (
    Enrolment.objects.filter(status=Enrolment.Status.IN_PROGRESS)
    .annotate(
        content_hash=F("course_version__content_hash"),
        progress_lesson_id=F("progress__lesson_id"),
        progress_completed_at=F("progress__completed_at"),
        progress_choice_id=F("progress__scenario_choice_id"),
    )
    .order_by()
)


def lesson_player(*, user, course_slug: str) -> CourseOutline | None:
    """The learner's own enrolment in progress on this course, with its version's lessons
    (bodies included) marked done or not, for the lesson player; None if they have none.

    Every member of staff opens a lesson page a dozen times a course, so this is the
    product's hottest read, and it is one query: the enrolment with its progress rows
    (a left join, one row per lesson opened, each naming the response chosen in a
    scenario). The version and its lessons come from the cache (version_content)."""
    # The learner's memberships as a subquery, not a join: it lets the database find the
    # enrolment by (membership, version), its unique index, rather than go through every
    # enrolment on the course (SQLite, without statistics, chose the latter: 1.7 ms at a
    # trust's scale against 0.1 ms).
    mine = Membership.objects.filter(user_id=user.pk).values("pk")
    rows = list(_PLAYER_ROWS.filter(membership__in=mine, course_version__course__slug=course_slug))
    if not rows:
        return None
    # Someone in two schools may have an enrolment in progress through each: the latest.
    enrolment = max(rows, key=lambda row: (row.started_at, row.pk))
    content = version_content(
        version_id=enrolment.course_version_id, content_hash=enrolment.content_hash
    )
    enrolment.course_version = content.version
    done, chosen = set(), {}
    for row in rows:
        if row.pk != enrolment.pk:
            continue
        if row.progress_completed_at is not None:
            done.add(row.progress_lesson_id)
        if row.progress_choice_id is not None:
            chosen[row.progress_lesson_id] = row.progress_choice_id
    return _outline(content.version, enrolment, content.lessons, done, chosen, content.choices)


def lesson_reference(*, user, course_slug: str) -> CourseOutline | None:
    """After passing: the version the learner last completed, every lesson readable as a
    reference (nothing is recorded while they read). None if they have completed no
    version of this course."""
    completed = (
        Enrolment.objects.filter(
            membership__user=user,
            course_version__course__slug=course_slug,
            status=Enrolment.Status.COMPLETED,
        )
        .select_related("course_version")
        .order_by("-completed_at", "-pk")
        .first()
    )
    if completed is None:
        return None
    version = completed.course_version
    content = version_content(version_id=version.pk, content_hash=version.content_hash)
    done = {lesson.pk for lesson in content.lessons}
    return _outline(content.version, completed, content.lessons, done, {}, content.choices)


@dataclass
class WhatToDo:
    """One lesson's "What to do" callout, for the course's one-page summary."""

    lesson: Lesson
    steps: str  # the callout's Markdown, without its "!!! what-to-do" line or indentation


WHAT_TO_DO = re.compile(
    r"^!!! what-to-do(?: \"[^\"]*\")?[ \t]*\n((?:(?:[ ]{4}|\t).*\n|[ \t]*\n)+)", re.M
)


def what_to_do(*, version: CourseVersion) -> list[WhatToDo]:
    """The "What to do" callouts of the version's lessons, in lesson order: the course's
    one-page summary of what to do, derived from its content (each lesson's
    ``!!! what-to-do`` block). Lessons without one are left out."""
    found = []
    for lesson in version.lessons.select_related("module").order_by("position"):
        for match in WHAT_TO_DO.finditer(lesson.body + "\n"):
            lines = [
                line[4:] if line.startswith("    ") else line.lstrip("\t")
                for line in match.group(1).splitlines()
            ]
            steps = "\n".join(lines).strip()
            if steps:
                found.append(WhatToDo(lesson=lesson, steps=steps))
    return found


def outline_entry(*, outline: CourseOutline, slug: str) -> tuple[int, LessonEntry]:
    """The lesson with this slug in the outline, and its index; ``NotFound`` if the course
    has none."""
    for index, entry in enumerate(outline.lessons):
        if entry.lesson.slug == slug:
            return index, entry
    raise NotFound(_("No such lesson in this course."))


def with_lesson_counts(enrolments: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """The enrolments, each annotated with ``lessons_done`` (lessons it has finished) and
    ``lessons_total`` (lessons in its version): the counts every page and endpoint show."""
    done = Count("progress", filter=Q(progress__completed_at__isnull=False), distinct=True)
    total = (
        Lesson.objects.filter(version=OuterRef("course_version"))
        .order_by()
        .values("version")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return enrolments.annotate(lessons_done=done, lessons_total=Coalesce(Subquery(total), 0))


def learner_enrolments(*, user) -> QuerySet[Enrolment]:
    """The learner's own enrolments, latest first, with their lesson counts."""
    return with_lesson_counts(
        Enrolment.objects.filter(membership__user=user)
        .select_related("course_version__course", "membership__school")
        .order_by("-started_at", "-pk")
    )


@dataclass(frozen=True)
class ContentReview:
    """Whether a course version's content has been reviewed against the guidance in force."""

    reviewed_against: str
    reviewed_on: date | None
    in_force: str
    """The edition of the same guidance in force today (the reviewed one if still current)."""

    @property
    def due(self) -> bool:
        return self.in_force != self.reviewed_against


GUIDANCE_EDITIONS_KEY = "courses:guidance-editions"
"""The cache key of every guidance edition: a handful of rows, read on every course page and
dashboard, changed only when a rule pack is loaded (which deletes the key)."""


def guidance_editions() -> list[GuidanceEdition]:
    """Every guidance edition, from the cache (one query when it is cold)."""
    editions = cache.get(GUIDANCE_EDITIONS_KEY)
    if editions is None:
        editions = list(GuidanceEdition.objects.all())
        cache.set(GUIDANCE_EDITIONS_KEY, editions, VERSION_CONTENT_SECONDS)
    return editions


def content_reviews(*, versions, today: date) -> dict[int, ContentReview]:
    """For each version (by id) reviewed against a known guidance edition, how that edition
    stands today: due a review when a later edition of the same guidance is in force.
    Versions reviewed against an edition no rule pack lists are left out."""
    editions = [e for e in guidance_editions() if e.in_force_from <= today]
    by_name = {edition.name: edition for edition in editions}
    reviews = {}
    for version in versions:
        reviewed = by_name.get(version.reviewed_against)
        if reviewed is None:
            continue
        current = max(
            (e for e in editions if e.series == reviewed.series),
            key=lambda e: e.in_force_from,
        )
        reviews[version.pk] = ContentReview(
            reviewed_against=reviewed.name,
            reviewed_on=version.reviewed_on,
            in_force=current.name,
        )
    return reviews


def content_reviews_due(*, course_ids, today: date) -> list[tuple[CourseVersion, ContentReview]]:
    """The latest versions of these courses that are due a content review, by title: one
    query, none when no guidance edition is known."""
    if not guidance_editions():
        return []
    latest = CourseVersion.objects.filter(course=OuterRef("course_id")).order_by("-number")
    versions = list(
        CourseVersion.objects.filter(course_id__in=course_ids, pk=Subquery(latest.values("pk")[:1]))
        .select_related("course")
        .order_by("title")
    )
    reviews = content_reviews(versions=versions, today=today)
    return [(v, reviews[v.pk]) for v in versions if v.pk in reviews and reviews[v.pk].due]
