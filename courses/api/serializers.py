"""Serializers for learning in the API. A question is served with its choices' text and
the values this attempt drew for them at random (never their ids): nothing that says which
choice is right, until the attempt is submitted."""

from rest_framework import serializers

from courses.models import Attempt, Course, Enrolment, Lesson
from cpd.api.base import named_choices

MAX_ID = 2**53


class CourseSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="latest_number", read_only=True)
    cpd_minutes = serializers.IntegerField(source="latest_cpd_minutes", read_only=True)
    pass_mark = serializers.IntegerField(source="latest_pass_mark", read_only=True)
    validity_months = serializers.IntegerField(
        source="latest_validity_months", read_only=True, allow_null=True
    )
    reviewed_against = serializers.CharField(source="latest_reviewed_against", read_only=True)

    class Meta:
        model = Course
        fields = [
            "slug",
            "title",
            "summary",
            "version",
            "cpd_minutes",
            "pass_mark",
            "validity_months",
            "reviewed_against",
        ]
        read_only_fields = fields


class EnrolmentSerializer(serializers.ModelSerializer):
    status = named_choices("EnrolmentStatusEnum", Enrolment.Status.choices)(read_only=True)
    course = serializers.SlugField(source="course_version.course.slug", read_only=True)
    course_title = serializers.CharField(source="course_version.title", read_only=True)
    version = serializers.IntegerField(source="course_version.number", read_only=True)
    school = serializers.SlugField(source="membership.school.slug", read_only=True)
    lessons_done = serializers.IntegerField(read_only=True)
    lessons_total = serializers.IntegerField(read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "course",
            "course_title",
            "version",
            "school",
            "status",
            "started_at",
            "completed_at",
            "lessons_done",
            "lessons_total",
        ]
        read_only_fields = fields


class ScenarioResponseSerializer(serializers.Serializer):
    value = serializers.CharField(
        help_text="What to send as ``choice``: this enrolment's own, never the response's id."
    )
    text = serializers.CharField()


class LessonProgressSerializer(serializers.Serializer):
    slug = serializers.SlugField(source="lesson.slug")
    title = serializers.CharField(source="lesson.title")
    kind = serializers.ChoiceField(source="lesson.kind", choices=Lesson.Kind.choices)
    module = serializers.CharField(source="lesson.module.title")
    minutes = serializers.IntegerField(source="lesson.minutes")
    done = serializers.BooleanField()
    choices = ScenarioResponseSerializer(
        many=True, help_text="Scenarios: the responses to choose from (else empty)."
    )


class EnrolmentDetailSerializer(EnrolmentSerializer):
    lessons = LessonProgressSerializer(many=True, read_only=True, source="outline.lessons")

    class Meta(EnrolmentSerializer.Meta):
        fields = [*EnrolmentSerializer.Meta.fields, "lessons"]
        read_only_fields = fields


class EnrolmentCreateSerializer(serializers.Serializer):
    course = serializers.SlugField(help_text="The course's slug.")
    school = serializers.SlugField(
        required=False,
        help_text="The school you take it for; needed only if you belong to several.",
    )


class LessonDoneSerializer(serializers.Serializer):
    lesson = serializers.SlugField(help_text="The lesson's slug.")
    choice = serializers.CharField(
        required=False,
        max_length=16,
        help_text="Scenarios: your response, by the ``value`` the enrolment lists it under.",
    )
    confirm = serializers.BooleanField(
        required=False, default=False, help_text="Acknowledgements: you have read it."
    )
    document = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=20,
        help_text="Acknowledgements offering several documents: which you read (from 1).",
    )
    seconds_spent = serializers.IntegerField(required=False, default=0, min_value=0, max_value=3600)


class ServedChoiceSerializer(serializers.Serializer):
    value = serializers.CharField(
        help_text="What to send back to choose it: drawn at random for this attempt."
    )
    text = serializers.CharField()


class ServedQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    prompt = serializers.CharField()
    choices = ServedChoiceSerializer(many=True)


class ReviewChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    text = serializers.CharField()
    chosen = serializers.BooleanField()
    is_correct = serializers.BooleanField()
    feedback = serializers.CharField(allow_blank=True)


class ReviewSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    correct = serializers.BooleanField()
    explanation = serializers.CharField()
    choices = ReviewChoiceSerializer(many=True)


class AttemptSerializer(serializers.ModelSerializer):
    course = serializers.SlugField(source="enrolment.course_version.course.slug", read_only=True)

    class Meta:
        model = Attempt
        fields = ["id", "enrolment", "course", "number", "started_at", "submitted_at", "score",
                  "passed"]  # fmt: skip
        read_only_fields = fields


class AttemptDetailSerializer(AttemptSerializer):
    questions = ServedQuestionSerializer(many=True, read_only=True)
    review = ReviewSerializer(
        many=True,
        read_only=True,
        allow_null=True,
        help_text="After submission, if the course shows answers: what was right and why.",
    )

    class Meta(AttemptSerializer.Meta):
        fields = [*AttemptSerializer.Meta.fields, "questions", "review"]
        read_only_fields = fields


class AnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    choices = serializers.ListField(
        child=serializers.CharField(max_length=16),
        allow_empty=False,
        max_length=50,
    )


class AttemptSubmitSerializer(serializers.Serializer):
    answers = AnswerSerializer(many=True, allow_empty=False, max_length=200)

    def validate_answers(self, answers):
        questions = [a["question"] for a in answers]
        if len(questions) != len(set(questions)):
            raise serializers.ValidationError("Answer each question once.")
        return answers

    def as_mapping(self) -> dict[int, list[str]]:
        return {a["question"]: a["choices"] for a in self.validated_data["answers"]}
