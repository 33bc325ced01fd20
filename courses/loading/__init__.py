"""Reading and validating course content folders (see content/FORMAT.md).

``course_spec_read(folder)`` returns a validated ``CourseSpec`` or raises ``ContentError``
listing every problem found, each naming the file, the key or line, and what is wrong.
Nothing here touches the database; ``courses.services.course_load`` writes a validated spec.
"""

from courses.loading.course import course_spec_read, shipped_course_folders
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
    "WORD",
    "ContentError",
    "CourseSpec",
    "LessonSpec",
    "ModuleSpec",
    "Problem",
    "QuestionSpec",
    "content_hash",
    "course_spec_read",
    "shipped_course_folders",
]
