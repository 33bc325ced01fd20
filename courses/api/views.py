"""Learning through the API: the course catalogue, my enrolments and progress, and
knowledge-check attempts. A person only ever reaches their own enrolments and attempts;
every rule (lessons first, attempts allowed, cooldown, grading) is the services' own."""

import django_filters
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from courses import selectors, services
from courses.api import serializers as s
from courses.models import Attempt, Course, CourseVersion, Enrolment, Lesson, Question
from cpd.api.base import ProductAPIMixin, api_schema
from cpd.people.selectors import memberships_of


def _lesson_counts():
    done = Count("progress", filter=Q(progress__completed_at__isnull=False), distinct=True)
    total = (
        Lesson.objects.filter(version=OuterRef("course_version"))
        .order_by()
        .values("version")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return {"lessons_done": done, "lessons_total": Subquery(total)}


class CourseViewSet(ProductAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Published courses, each described by its latest version."""

    queryset = Course.objects.none()
    serializer_class = s.CourseSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filter_backends = []

    def get_queryset(self):
        latest = CourseVersion.objects.filter(pk=OuterRef("latest_version_id"))
        return selectors.published_courses().annotate(
            **{
                f"latest_{name}": Subquery(latest.values(name)[:1])
                for name in (
                    "number",
                    "cpd_minutes",
                    "pass_mark",
                    "validity_months",
                    "reviewed_against",
                )
            }
        )


class EnrolmentFilter(django_filters.FilterSet):
    course = django_filters.CharFilter(
        field_name="course_version__course__slug", help_text="A course's slug."
    )
    status = django_filters.ChoiceFilter(choices=Enrolment.Status.choices)

    class Meta:
        model = Enrolment
        fields = ["course", "status"]


class EnrolmentViewSet(
    ProductAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Your own enrolments, with progress through the lessons."""

    queryset = Enrolment.objects.none()
    serializer_class = s.EnrolmentSerializer
    filterset_class = EnrolmentFilter
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        return (
            Enrolment.objects.filter(membership__user=self.request.user)
            .select_related("course_version__course", "membership__school")
            .annotate(**_lesson_counts())
            .order_by("-started_at", "-pk")
        )

    def _detail(self, enrolment: Enrolment) -> dict:
        enrolment = self.get_queryset().get(pk=enrolment.pk)
        enrolment.outline = selectors.course_outline(
            version=enrolment.course_version, enrolment=enrolment
        )
        return s.EnrolmentDetailSerializer(enrolment, context=self.get_serializer_context()).data

    @api_schema(responses=s.EnrolmentDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        return Response(self._detail(self.get_object()))

    @api_schema(request=s.EnrolmentCreateSerializer, responses={201: s.EnrolmentDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Start a course (its latest version), or get the enrolment already in progress."""
        body = s.EnrolmentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        course = selectors.published_courses().filter(slug=body.validated_data["course"]).first()
        if course is None:
            raise serializers.ValidationError({"course": ["No published course has this slug."]})
        memberships = list(memberships_of(user=request.user, on=timezone.localdate()))
        if "school" in body.validated_data:
            memberships = [m for m in memberships if m.school.slug == body.validated_data["school"]]
        if not memberships:
            raise serializers.ValidationError({"school": ["You are not a member of this school."]})
        if len(memberships) > 1:
            raise serializers.ValidationError(
                {"school": ["You belong to several schools: say which one this is for."]}
            )
        enrolment = services.enrolment_start(
            membership=memberships[0],
            course_version=CourseVersion.objects.get(pk=course.latest_version_id),
        )
        return Response(self._detail(enrolment), status=status.HTTP_201_CREATED)

    @api_schema(request=s.LessonDoneSerializer, responses=s.EnrolmentDetailSerializer)
    @action(detail=True, methods=["post"], url_path="lessons", filterset_class=None)
    def lesson_done(self, request, *args, **kwargs):
        """Finish a lesson: a reading lesson as it is, a scenario with your ``choice``, an
        acknowledgement with ``confirm: true``."""
        enrolment = self.get_object()
        body = s.LessonDoneSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        lesson = enrolment.course_version.lessons.filter(slug=data["lesson"]).first()
        if lesson is None:
            raise serializers.ValidationError({"lesson": ["This course has no such lesson."]})
        if lesson.kind == Lesson.Kind.SCENARIO:
            if "choice" not in data:
                raise serializers.ValidationError({"choice": ["Choose a response."]})
            services.scenario_respond(enrolment=enrolment, lesson=lesson, choice_id=data["choice"])
        elif lesson.kind == Lesson.Kind.ACKNOWLEDGEMENT:
            if not data["confirm"]:
                raise serializers.ValidationError(
                    {"confirm": ["Confirm that you have read the document."]}
                )
            services.acknowledgement_record(enrolment=enrolment, lesson=lesson)
        else:
            services.lesson_complete(
                enrolment=enrolment, lesson=lesson, seconds_spent=data["seconds_spent"]
            )
        return Response(self._detail(enrolment))

    @api_schema(request=None, responses={201: s.AttemptDetailSerializer})
    @action(detail=True, methods=["post"], url_path="attempts", filterset_class=None)
    def start_attempt(self, request, *args, **kwargs):
        """Start the knowledge check, or get the attempt already open. Questions come with
        their choices only; nothing says which is right."""
        attempt = services.attempt_start(enrolment=self.get_object())
        return Response(attempt_detail(attempt), status=status.HTTP_201_CREATED)


def attempt_detail(attempt: Attempt) -> dict:
    """The attempt with its served questions in the served order; after submission, and
    only if the course reveals answers, the review."""
    served_ids = [item["question"] for item in attempt.served]
    questions = {
        q.pk: q for q in Question.objects.filter(pk__in=served_ids).prefetch_related("choices")
    }
    served, review = [], None
    chosen: dict[int, set[int]] = {}
    correct: dict[int, bool] = {}
    if attempt.submitted_at is not None:
        for answer in attempt.answers.prefetch_related("choices"):
            chosen[answer.question_id] = {c.pk for c in answer.choices.all()}
            correct[answer.question_id] = answer.correct
    for item in attempt.served:
        question = questions[item["question"]]
        by_id = {c.pk: c for c in question.choices.all()}
        served.append(
            {
                "id": question.pk,
                "kind": question.kind,
                "prompt": question.prompt,
                "choices": [{"id": pk, "text": by_id[pk].text} for pk in item["choices"]],
            }
        )
    if attempt.submitted_at is not None and attempt.enrolment.course_version.reveal_answers:
        review = []
        for item in attempt.served:
            question = questions[item["question"]]
            by_id = {c.pk: c for c in question.choices.all()}
            review.append(
                {
                    "question": question.pk,
                    "correct": correct.get(question.pk, False),
                    "explanation": question.explanation,
                    "choices": [
                        {
                            "id": pk,
                            "text": by_id[pk].text,
                            "chosen": pk in chosen.get(question.pk, set()),
                            "is_correct": by_id[pk].is_correct,
                            "feedback": by_id[pk].feedback,
                        }
                        for pk in item["choices"]
                    ],
                }
            )
    attempt.questions = served
    attempt.review = review
    return s.AttemptDetailSerializer(attempt).data


class AttemptViewSet(
    ProductAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Your own knowledge-check attempts. Submit once; grading is on the server."""

    queryset = Attempt.objects.none()
    serializer_class = s.AttemptSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    filter_backends = []

    def get_queryset(self):
        return (
            Attempt.objects.filter(enrolment__membership__user=self.request.user)
            .select_related("enrolment__course_version__course")
            .order_by("-started_at", "-pk")
        )

    @api_schema(responses=s.AttemptDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        return Response(attempt_detail(self.get_object()))

    @api_schema(request=s.AttemptSubmitSerializer, responses=s.AttemptDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        """Answer every served question: ``{"answers": [{"question": 12, "choices": [40]}]}``.
        The score, pass or fail, and (if the course shows answers) the review come back."""
        attempt = self.get_object()
        body = s.AttemptSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attempt = services.attempt_submit(attempt=attempt, answers=body.as_mapping())
        return Response(attempt_detail(self.get_queryset().get(pk=attempt.pk)))
