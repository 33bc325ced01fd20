from django import forms
from django.contrib import admin

from courses.errors import VersionInUse
from courses.models import (
    Acknowledgement,
    Attempt,
    Choice,
    Course,
    CourseVersion,
    Enrolment,
    Lesson,
    Module,
    Question,
    ScenarioChoice,
)


class FrozenContentForm(forms.ModelForm):
    """Refuses to add a module, lesson or question to a version someone has enrolled on, as
    a form error (saving it would raise ``VersionInUse``)."""

    def clean(self):
        cleaned = super().clean()
        version = cleaned.get("version")
        if version is not None and self.instance._state.adding and version.has_learners:
            raise forms.ValidationError(VersionInUse(version).message, code="version_in_use")
        return cleaned


class FrozenOnceEnrolled:
    """A version's content is what its learners were taught and tested on, so once anyone
    has enrolled on a version, the models refuse to change it or anything in it
    (``courses.querysets``), and here it is shown read-only: changed content is loaded as a
    new version with ``cpd_load_courses``."""

    form = FrozenContentForm

    @staticmethod
    def _in_use(obj) -> bool:
        if obj is None:
            return False
        version = obj if isinstance(obj, CourseVersion) else obj.version
        return version.has_learners

    def has_add_permission(self, request, *args):
        # ModelAdmin passes only the request; inlines pass the parent object too.
        if args and self._in_use(args[0]):
            return False
        return super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return not self._in_use(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._in_use(obj) and super().has_delete_permission(request, obj)


class VersionInline(admin.TabularInline):
    model = CourseVersion
    fields = ["number", "title", "reviewed_against", "published_at"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "slug"]
    search_fields = ["title", "slug"]
    inlines = [VersionInline]


class ModuleInline(FrozenOnceEnrolled, admin.TabularInline):
    model = Module
    fields = ["position", "slug", "title"]
    extra = 0
    show_change_link = True


class LessonInline(FrozenOnceEnrolled, admin.StackedInline):
    model = Lesson
    fields = ["position", "slug", "title", "kind", "minutes", "body", "sources", "prompt",
              "document", "document_version", "statement"]  # fmt: skip
    extra = 0
    show_change_link = True


class QuestionInline(FrozenOnceEnrolled, admin.TabularInline):
    model = Question
    fields = ["position", "key", "kind", "is_scenario", "prompt", "module"]
    extra = 0
    show_change_link = True


@admin.register(CourseVersion)
class CourseVersionAdmin(FrozenOnceEnrolled, admin.ModelAdmin):
    list_display = [
        "course",
        "number",
        "reviewed_against",
        "published_at",
        "pass_mark",
        "questions_per_attempt",
    ]
    list_filter = ["course", "reviewed_against"]
    search_fields = ["title", "course__slug"]
    readonly_fields = ["content_hash", "word_count"]
    inlines = [ModuleInline, QuestionInline]


@admin.register(Module)
class ModuleAdmin(FrozenOnceEnrolled, admin.ModelAdmin):
    list_display = ["title", "version", "position"]
    list_filter = ["version__course"]
    search_fields = ["title"]
    inlines = [LessonInline]


class ScenarioChoiceInline(FrozenOnceEnrolled, admin.TabularInline):
    model = ScenarioChoice
    fields = ["position", "text", "is_best", "feedback"]
    extra = 0


@admin.register(Lesson)
class LessonAdmin(FrozenOnceEnrolled, admin.ModelAdmin):
    list_display = ["title", "kind", "module", "position"]
    list_filter = ["kind", "version__course"]
    search_fields = ["title", "body"]
    inlines = [ScenarioChoiceInline]


class ChoiceInline(FrozenOnceEnrolled, admin.TabularInline):
    model = Choice
    fields = ["position", "text", "is_correct", "feedback"]
    extra = 0


@admin.register(Question)
class QuestionAdmin(FrozenOnceEnrolled, admin.ModelAdmin):
    list_display = ["key", "kind", "is_scenario", "version", "module"]
    list_filter = ["kind", "is_scenario", "version__course"]
    search_fields = ["key", "prompt", "explanation"]
    inlines = [ChoiceInline]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["membership", "course_version", "status", "started_at", "completed_at"]
    list_filter = ["status", "course_version__course", "membership__school"]
    search_fields = ["membership__user__email", "membership__user__last_name"]
    list_select_related = ["membership__user", "membership__school", "course_version"]
    autocomplete_fields = ["membership"]
    raw_id_fields = ["course_version"]


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["enrolment", "number", "score", "passed", "submitted_at"]
    list_filter = ["passed"]
    search_fields = ["enrolment__membership__user__email"]
    readonly_fields = [
        "enrolment",
        "number",
        "served",
        "started_at",
        "submitted_at",
        "score",
        "passed",
    ]


@admin.register(Acknowledgement)
class AcknowledgementAdmin(admin.ModelAdmin):
    list_display = ["membership", "document", "document_version", "at"]
    list_filter = ["document", "document_version"]
    search_fields = ["membership__user__email", "document"]
    readonly_fields = [
        "membership",
        "enrolment",
        "lesson",
        "document",
        "document_version",
        "statement",
        "at",
    ]
