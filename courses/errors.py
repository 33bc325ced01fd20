"""The courses app's own kinds of the product's errors (``cpd.errors``)."""

from django.utils.translation import gettext as _

from cpd.errors import Conflict, Refused


class LearningError(Refused):
    """A learner's request that the rules refuse (too early for another attempt, a lesson
    that is not a scenario). The message is shown to them as it is; a page and the API both
    answer it as a refusal (400)."""


class VersionInUse(Conflict):
    """A change to a course version, or to anything in it, after someone has enrolled on
    it. Its learners were taught and tested on that content, and certificates name it:
    changed content is loaded as a new version."""

    code = "version_in_use"

    def __init__(self, version):
        self.version = version
        super().__init__(
            _(
                "Version %(number)s of %(course)s has learners, so its content is fixed. "
                "Load the changed course with cpd_load_courses to publish a new version."
            )
            % {"number": version.number, "course": version.course}
        )
