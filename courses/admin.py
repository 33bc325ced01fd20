from django.contrib import admin

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


class ModuleInline(admin.TabularInline):
    model = Module
    fields = ["position", "slug", "title"]
    extra = 0
    show_change_link = True


class LessonInline(admin.StackedInline):
    model = Lesson
    fields = ["position", "slug", "title", "kind", "minutes", "body", "sources", "prompt",
              "document", "document_version", "statement"]  # fmt: skip
    extra = 0
    show_change_link = True


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["position", "key", "kind", "is_scenario", "prompt", "module"]
    extra = 0
    show_change_link = True


@admin.register(CourseVersion)
class CourseVersionAdmin(admin.ModelAdmin):
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
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "version", "position"]
    list_filter = ["version__course"]
    search_fields = ["title"]
    inlines = [LessonInline]


class ScenarioChoiceInline(admin.TabularInline):
    model = ScenarioChoice
    fields = ["position", "text", "is_best", "feedback"]
    extra = 0


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "module", "position"]
    list_filter = ["kind", "version__course"]
    search_fields = ["title", "body"]
    inlines = [ScenarioChoiceInline]


class ChoiceInline(admin.TabularInline):
    model = Choice
    fields = ["position", "text", "is_correct", "feedback"]
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
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
