"""Loading course content: each changed course becomes a new version."""

import math
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from courses.content import CourseSpec
from courses.loading import CheckedCourse, courses_check
from courses.models import Choice, Course, CourseVersion, Lesson, Module, Question, ScenarioChoice
from cpd.audit.services import audit_record

READING_WORDS_PER_MINUTE = 180


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
        reviewed_on=spec.reviewed_on,
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
                    documents=lesson.documents,
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


def courses_load(*, folders, strict: bool = False) -> list[tuple[CourseVersion, bool]]:
    """Check every course folder (``courses.loading.courses_check``: its files, and how far
    guessing goes in its knowledge check), then write them all in one transaction. If any is
    refused, ``ContentError`` lists every problem and nothing is written."""
    return courses_publish(courses=courses_check(folders=folders, strict=strict))


@transaction.atomic
def courses_publish(*, courses: list[CheckedCourse]) -> list[tuple[CourseVersion, bool]]:
    """Write courses that ``courses_check`` let through, all in one transaction."""
    return [course_load(spec=checked.spec) for checked in courses]
