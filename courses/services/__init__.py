"""Services for courses, split by use case: ``loading`` (content becomes versions),
``learning`` (starting a course, finishing lessons) and ``assessment`` (the knowledge
check). Every one is importable from here."""

from courses.errors import LearningError
from courses.services.assessment import attempt_start, attempt_submit, enrolment_complete
from courses.services.guidance import guidance_editions_save
from courses.services.learning import (
    acknowledgement_record,
    course_enrol,
    enrolment_restart,
    enrolment_start,
    lesson_complete,
    lesson_finish,
    scenario_respond,
)
from courses.services.loading import (
    READING_WORDS_PER_MINUTE,
    course_load,
    courses_load,
    courses_publish,
)

__all__ = [
    "READING_WORDS_PER_MINUTE",
    "LearningError",
    "acknowledgement_record",
    "attempt_start",
    "attempt_submit",
    "course_enrol",
    "course_load",
    "courses_load",
    "courses_publish",
    "enrolment_complete",
    "enrolment_restart",
    "enrolment_start",
    "guidance_editions_save",
    "lesson_complete",
    "lesson_finish",
    "scenario_respond",
]
