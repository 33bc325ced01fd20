"""Learning through the API: the course catalogue, my enrolments and progress, and
knowledge-check attempts. A person only ever reaches their own enrolments and attempts;
every rule (lessons first, attempts allowed, cooldown, grading) is the services' own.

Each use case is the same selector or service the learner's pages call (``courses.views``):
an endpoint differs only in reading a body and answering JSON. A ``NotFound`` is a 404 and
a refusal a 400, as on the pages."""

import django_filters
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from courses import review, selectors, services
from courses.api import serializers as s
from courses.models import Attempt, Course, CourseVersion, Enrolment
from cpd.api.base import ProductAPIMixin, api_schema


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
        return selectors.learner_enrolments(user=self.request.user)

    def _detail(self, enrolment: Enrolment) -> dict:
        enrolment = self.get_queryset().get(pk=enrolment.pk)
        enrolment.outline = selectors.course_outline(
            version=enrolment.course_version, enrolment=enrolment, with_choices=True
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
        enrolment = services.course_enrol(
            user=request.user,
            course=selectors.course_for_learner(slug=body.validated_data["course"]),
            school_slug=body.validated_data.get("school"),
            on=timezone.localdate(),
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
        outline = selectors.course_outline(version=enrolment.course_version, enrolment=None)
        _index, entry = selectors.outline_entry(outline=outline, slug=data["lesson"])
        services.lesson_finish(
            enrolment=enrolment,
            lesson=entry.lesson,
            choice=data.get("choice"),
            confirmed=data["confirm"],
            document=data.get("document"),
            seconds_spent=data["seconds_spent"],
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
    only if the course reveals answers, the review (``courses.review.attempt_review``)."""
    shown = review.attempt_review(attempt=attempt)
    attempt.questions = [
        {
            "id": question.pk,
            "kind": question.kind,
            "prompt": question.prompt,
            "choices": [{"value": c.value, "text": c.text} for c in question.served_choices],
        }
        for question in shown.questions
    ]
    attempt.review = None
    if shown.review is not None:
        attempt.review = [
            {
                "question": item.question.pk,
                "correct": item.correct,
                "explanation": item.question.explanation,
                "choices": [
                    {
                        "value": choice.value,
                        "text": choice.text,
                        "chosen": chosen,
                        "is_correct": choice.is_correct,
                        "feedback": choice.feedback,
                    }
                    for choice, chosen in item.choices
                ],
            }
            for item in shown.review
        ]
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
        return review.learner_attempts(user=self.request.user)

    @api_schema(responses=s.AttemptDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        return Response(attempt_detail(self.get_object()))

    @api_schema(request=s.AttemptSubmitSerializer, responses=s.AttemptDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        """Answer every served question, each choice by the ``value`` this attempt served it
        under: ``{"answers": [{"question": 12, "choices": ["9f3a01c2"]}]}``.
        The score, pass or fail, and (if the course shows answers) the review come back."""
        attempt = self.get_object()
        body = s.AttemptSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attempt = services.attempt_submit(attempt=attempt, answers=body.as_mapping())
        return Response(attempt_detail(self.get_queryset().get(pk=attempt.pk)))
