from datetime import date

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, viewsets

from cpd.api.base import SCHOOL_SLUG, SchoolScopedMixin, api_schema, named_choices
from cpd.compliance.engine import Status
from cpd.compliance.selectors import compliance_matrix
from cpd.dates import school_today
from cpd.models import Membership, Requirement
from cpd.permissions import Permission


class RequirementSerializer(serializers.ModelSerializer):
    course = serializers.SlugField(
        source="course.slug", read_only=True, allow_null=True, help_text=_("Null for policies.")
    )
    course_title = serializers.CharField(source="course.title", read_only=True, allow_null=True)
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)
    staff_categories = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Requirement
        fields = [
            "id",
            "name",
            "scope",
            "kind",
            "course",
            "course_title",
            "roles",
            "staff_categories",
            "renewal_months",
            "induction_days",
            "due_soon_days",
        ]
        read_only_fields = fields


ComplianceStatusField = named_choices("ComplianceStatusEnum", Status.choices)


class ComplianceQuerySerializer(serializers.Serializer):
    on = serializers.DateField(
        required=False, help_text=_("The date to report on; today if empty.")
    )
    status = ComplianceStatusField(required=False, help_text=_("Only rows with this status."))
    course = serializers.SlugField(required=False, help_text=_("Only this course's rows."))
    membership = serializers.IntegerField(
        required=False, min_value=1, max_value=2**53, help_text=_("Only this person's rows.")
    )

    def validate_on(self, value: date) -> date:
        if not date(1900, 1, 1) <= value <= date(2999, 12, 31):
            raise serializers.ValidationError(_("Enter a date between 1900 and 2999."))
        return value


class ComplianceRowSerializer(serializers.Serializer):
    membership = serializers.IntegerField(source="membership.pk")
    email = serializers.EmailField(source="membership.user.email")
    name = serializers.CharField(source="membership.display_name")
    role = serializers.CharField(source="membership.role")
    staff_category = serializers.CharField(source="membership.staff_category")
    requirement = serializers.IntegerField(source="requirement.pk")
    requirement_name = serializers.CharField(source="requirement.name")
    course = serializers.SlugField(
        source="requirement.topic", help_text=_("The course's slug, or school-policies.")
    )
    status = ComplianceStatusField()
    status_label = serializers.CharField(source="label")
    due_on = serializers.DateField(allow_null=True)
    expires_on = serializers.DateField(allow_null=True)
    certificate = serializers.IntegerField(source="certificate_id", allow_null=True)


class RequirementFilter(django_filters.FilterSet):
    course = django_filters.CharFilter(field_name="course__slug", help_text="A course's slug.")

    class Meta:
        model = Requirement
        fields = ["course", "scope"]


@api_schema(parameters=[SCHOOL_SLUG])
class RequirementViewSet(SchoolScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The requirements in force in the school: a trust's replaces the platform default
    for the same course, and a school's replaces both."""

    queryset = Requirement.objects.none()
    serializer_class = RequirementSerializer
    permission = Permission.VIEW_SCHOOL
    filterset_class = RequirementFilter

    def get_queryset(self):
        return (
            Requirement.objects.for_school(self.school)
            .select_related("course")
            .order_by("name", "pk")
        )


@api_schema(parameters=[SCHOOL_SLUG])
class ComplianceViewSet(SchoolScopedMixin, viewsets.GenericViewSet):
    """Each active member against each requirement that applies to them, from the same
    selector as the compliance page."""

    queryset = Membership.objects.none()
    serializer_class = ComplianceRowSerializer
    permission = Permission.VIEW_COMPLIANCE
    filter_backends = []

    @api_schema(parameters=[ComplianceQuerySerializer])
    def list(self, request, *args, **kwargs):
        query = ComplianceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data
        matrix = compliance_matrix(
            school=self.school, on=wanted.get("on") or school_today(self.school)
        )
        rows = [
            row
            for row in matrix.rows
            if ("status" not in wanted or row.status == wanted["status"])
            and ("course" not in wanted or row.requirement.topic == wanted["course"])
            and ("membership" not in wanted or row.membership.pk == wanted["membership"])
        ]
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
