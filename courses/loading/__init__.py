"""Reading, validating and checking course content folders (see content/FORMAT.md).

``course_spec_read(folder)`` returns a validated ``CourseSpec`` or raises ``ContentError``
listing every problem found, each naming the file, the key or line, and what is wrong.
``courses_check(folders=...)`` reads several and adds how far guessing goes in each
knowledge check (``item_quality``). Nothing here touches the database;
``courses.services.courses_load`` writes checked specs.
"""

from courses.loading.check import (
    SHIPPED_GUESSABLE_BANKS_REFUSED,
    CheckedCourse,
    CoursesRefused,
    courses_check,
    guessing_refused,
)
from courses.loading.course import course_is_shipped, course_spec_read, shipped_course_folders
from courses.loading.item_quality import (
    GUESS_PASS_LIMIT,
    BankReport,
    GuesserFigure,
    bank_report,
)
from courses.loading.spec import (
    WORD,
    ContentError,
    CourseSpec,
    LessonSpec,
    ModuleSpec,
    Problem,
    QuestionSpec,
    content_hash,
)

__all__ = [
    "GUESS_PASS_LIMIT",
    "SHIPPED_GUESSABLE_BANKS_REFUSED",
    "WORD",
    "BankReport",
    "CheckedCourse",
    "ContentError",
    "CourseSpec",
    "CoursesRefused",
    "GuesserFigure",
    "LessonSpec",
    "ModuleSpec",
    "Problem",
    "QuestionSpec",
    "bank_report",
    "content_hash",
    "course_is_shipped",
    "course_spec_read",
    "courses_check",
    "guessing_refused",
    "shipped_course_folders",
]
