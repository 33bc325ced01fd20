"""The content loader's public names, where callers have always imported them.

The course folders shipped with the package live beside this module in ``content/``; the
loader itself is the ``courses.loading`` package.
"""

from courses.loading import (
    WORD,
    ContentError,
    CourseSpec,
    LessonSpec,
    ModuleSpec,
    Problem,
    QuestionSpec,
    content_hash,
    course_spec_read,
    shipped_course_folders,
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
