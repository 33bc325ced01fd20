"""cpd's API: schools, staff (with the import), requirements, compliance and API tokens.

Thin viewsets: the school is resolved once (``SchoolScopedMixin``: a 404 if the person
cannot see it), visibility comes from the same selectors as the web pages, and changes go
through services. Refusals raised by services become JSON 400s in ``cpd.api.errors``."""

from functools import cached_property

import django_filters
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cpd import imports, selectors
from cpd.api import serializers as s
from cpd.api.permissions import (
    CanViewSchoolStaff,
    MayHoldApiToken,
    ReadOrManageStaff,
)
from cpd.api.tokens import api_token_create, api_token_revoke
from cpd.models import Membership, Requirement, School
from cpd.services import membership_leave
from cpd.staff_selectors import memberships_visible_to, school_visible_to, schools_visible_to

ID_PATTERN = r"[0-9]{1,18}"
SCHOOL_SLUG = OpenApiParameter(
    "school_slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The school's slug."
)


class SchoolVisible(BasePermission):
    """Resolves the school: a 404 for a school the person cannot see at all."""

    def has_permission(self, request, view) -> bool:
        return view.school is not None


class SchoolScopedMixin:
    @cached_property
    def school(self) -> School:
        return school_visible_to(user=self.request.user, slug=self.kwargs["school_slug"])


class SchoolFilter(django_filters.FilterSet):
    trust = django_filters.CharFilter(field_name="trust__slug", help_text="A trust's slug.")

    class Meta:
        model = School
        fields = ["country", "trust"]


class SchoolViewSet(viewsets.ReadOnlyModelViewSet):
    """Schools the person belongs to (and has not left), or oversees as DSL or admin."""

    queryset = School.objects.none()
    serializer_class = s.SchoolSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filterset_class = SchoolFilter

    def get_queryset(self):
        return schools_visible_to(user=self.request.user)


class MembershipFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Membership.Role.choices)
    staff_category = django_filters.ChoiceFilter(choices=Membership.StaffCategory.choices)
    current = django_filters.BooleanFilter(
        method="filter_current", help_text="true: only people who have not left today."
    )
    email = django_filters.CharFilter(field_name="user__email", lookup_expr="iexact")

    class Meta:
        model = Membership
        fields = ["role", "staff_category", "current", "email"]

    def filter_current(self, queryset, name, value):
        today = timezone.localdate()
        still_here = Q(left_on__isnull=True) | Q(left_on__gt=today)
        return queryset.filter(still_here) if value else queryset.exclude(still_here)


@extend_schema(parameters=[SCHOOL_SLUG])
class StaffViewSet(SchoolScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The school's staff, leavers included. DSLs, school admins and trust admins see
    everyone; anyone else sees only themselves. Only admins change anything."""

    queryset = Membership.objects.none()
    serializer_class = s.MembershipSerializer
    permission_classes = [IsAuthenticated, SchoolVisible, ReadOrManageStaff]
    filterset_class = MembershipFilter
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        return memberships_visible_to(user=self.request.user, school=self.school)

    @extend_schema(request=s.MembershipLeaveSerializer, responses=s.MembershipSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, *args, **kwargs):
        """Mark the person as leaving on a date. Their records and certificates are kept."""
        membership = self.get_object()
        data = s.MembershipLeaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = membership_leave(
            membership=membership, left_on=data.validated_data["left_on"], actor=request.user
        )
        return Response(s.MembershipSerializer(membership).data)

    @extend_schema(
        parameters=[s.StaffImportQuerySerializer],
        request={"multipart/form-data": s.StaffImportSerializer},
        responses={200: s.StaffImportResultSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
        filterset_class=None,
        pagination_class=None,
    )
    def import_file(self, request, *args, **kwargs):
        """Import staff from a CSV or XLSX file. With ``?dry_run=1`` nothing is saved and the
        preview lists adds, updates (with the fields that change), unchanged rows, proposed
        leavers (with full sync) and every row's problems. Without it the file is applied
        all at once, or refused with every problem and nothing saved."""
        query = s.StaffImportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        body = s.StaffImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        content = upload.read(imports.cpd_settings.STAFF_IMPORT_MAX_BYTES + 1)
        full_sync = body.validated_data["full_sync"]
        if query.validated_data["dry_run"]:
            staff_file = imports.staff_file_read(content=content, filename=upload.name)
            plan = imports.staff_import_plan(
                school=self.school,
                staff_file=staff_file,
                full_sync=full_sync,
                on=timezone.localdate(),
                actor=request.user,
            )
            applied = False
        else:
            plan = imports.staff_import_apply(
                school=self.school,
                content=content,
                filename=upload.name,
                full_sync=full_sync,
                confirm_leavers=body.validated_data["confirm_leavers"],
                actor=request.user,
            )
            applied = True
        return Response({"applied": applied, **plan.as_dict()})


class RequirementFilter(django_filters.FilterSet):
    course = django_filters.CharFilter(field_name="course__slug", help_text="A course's slug.")

    class Meta:
        model = Requirement
        fields = ["course", "scope"]


@extend_schema(parameters=[SCHOOL_SLUG])
class RequirementViewSet(SchoolScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The requirements in force in the school: a trust's replaces the platform default
    for the same course, and a school's replaces both."""

    queryset = Requirement.objects.none()
    serializer_class = s.RequirementSerializer
    permission_classes = [IsAuthenticated, SchoolVisible]
    filterset_class = RequirementFilter

    def get_queryset(self):
        in_force = selectors.requirements_by_school(schools=[self.school])[self.school.pk]
        return (
            Requirement.objects.filter(pk__in=[r.pk for r in in_force])
            .select_related("course")
            .order_by("name", "pk")
        )


@extend_schema(parameters=[SCHOOL_SLUG])
class ComplianceViewSet(SchoolScopedMixin, viewsets.GenericViewSet):
    """Each active member against each requirement that applies to them, from the same
    selector as the compliance page."""

    queryset = Membership.objects.none()
    serializer_class = s.ComplianceRowSerializer
    permission_classes = [IsAuthenticated, SchoolVisible, CanViewSchoolStaff]
    filter_backends = []

    @extend_schema(parameters=[s.ComplianceQuerySerializer])
    def list(self, request, *args, **kwargs):
        query = s.ComplianceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data
        matrix = selectors.compliance_matrix(
            school=self.school, on=wanted.get("on") or timezone.localdate()
        )
        rows = [
            row
            for row in matrix.rows
            if ("status" not in wanted or row.status == wanted["status"])
            and ("course" not in wanted or row.requirement.course.slug == wanted["course"])
            and ("membership" not in wanted or row.membership.pk == wanted["membership"])
        ]
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ApiTokenView(APIView):
    """Your API token, for an integration that acts with your access (school and trust
    admins only). POST makes a new one (replacing any other) and is the only response that
    shows the key; DELETE revokes it."""

    permission_classes = [IsAuthenticated, MayHoldApiToken]
    serializer_class = s.ApiTokenSerializer

    def _body(self, token, *, show_key: bool) -> dict:
        return {
            "key": token.key if token and show_key else None,
            "created": token.created if token else None,
        }

    @extend_schema(responses=s.ApiTokenSerializer)
    def get(self, request):
        token = Token.objects.filter(user=request.user).first()
        return Response(self._body(token, show_key=False))

    @extend_schema(request=None, responses={201: s.ApiTokenSerializer})
    def post(self, request):
        token = api_token_create(user=request.user)
        return Response(self._body(token, show_key=True), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Revoked.")})
    def delete(self, request):
        api_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
