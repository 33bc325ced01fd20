"""The API for schools and their staff (with the staff import).

Thin viewsets: the school is resolved once (``SchoolScopedMixin``: a 404 if the person
cannot see it), visibility comes from the same selectors as the web pages, and changes go
through services. Refusals raised by services become JSON 400s in ``cpd.api.errors``."""

from datetime import date

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from cpd.api.base import ID_PATTERN, SCHOOL_SLUG, ProductAPIMixin, SchoolScopedMixin, api_schema
from cpd.conf import cpd_settings
from cpd.dates import school_today
from cpd.models import Membership, School
from cpd.people.imports.pending import (
    staff_import_apply,
    staff_import_at_once,
    staff_import_pending,
    staff_import_preview,
)
from cpd.people.selectors import memberships_visible_to, schools_visible_to
from cpd.people.services import membership_leave
from cpd.permissions import Permission
from cpd.uploads import request_size_check


class TrustSummarySerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)


class SchoolSerializer(serializers.ModelSerializer):
    trust = TrustSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = School
        fields = ["slug", "name", "urn", "country", "timezone", "trust"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    school = serializers.SlugField(source="school.slug", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "school",
            "email",
            "first_name",
            "last_name",
            "role",
            "staff_category",
            "job_title",
            "started_on",
            "left_on",
            "status",
        ]
        read_only_fields = fields


class MembershipLeaveSerializer(serializers.Serializer):
    left_on = serializers.DateField(
        help_text=_("The day they leave: from it, their training is no longer required.")
    )

    def validate_left_on(self, value: date) -> date:
        if not date(1900, 1, 1) <= value <= date(2999, 12, 31):
            raise serializers.ValidationError(_("Enter a date between 1900 and 2999."))
        return value


class StaffImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        required=False,
        help_text=_(
            "CSV (comma or semicolon separated, UTF-8 or Windows-1252) or XLSX. Send either "
            "a file or the token of a dry run."
        ),
    )
    full_sync = serializers.BooleanField(
        default=False,
        help_text=_("The file lists all current staff: propose everyone missing as a leaver."),
    )
    token = serializers.UUIDField(
        required=False,
        help_text=_("From a dry run: apply the file it checked (with its fingerprint)."),
    )
    fingerprint = serializers.CharField(
        required=False,
        max_length=64,
        help_text=_(
            "From the dry run: if the school's staff changed since, nothing is imported (409)."
        ),
    )
    confirm_leavers = serializers.BooleanField(
        default=False, help_text=_("With full sync, mark the proposed leavers as left.")
    )

    def validate(self, data: dict) -> dict:
        if data.get("token") is None:
            if data.get("file") is None:
                raise serializers.ValidationError(
                    {"file": [self.fields["file"].error_messages["required"]]}
                )
        elif data.get("file") is not None:
            raise serializers.ValidationError(
                {"token": [_("Send a file or the token of a dry run, not both.")]}
            )
        elif not data.get("fingerprint") and not self.context.get("dry_run"):
            raise serializers.ValidationError(
                {"fingerprint": [_("Send the fingerprint of the dry run with its token.")]}
            )
        return data


class StaffImportQuerySerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(
        default=False,
        help_text=_(
            "1: check the file (or look again at a dry run's token) and return the preview, "
            "with a token and fingerprint to apply it; save nothing."
        ),
    )


class ImportProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    role = serializers.CharField()
    staff_category = serializers.CharField()
    job_title = serializers.CharField(allow_blank=True)
    started_on = serializers.DateField()
    left_on = serializers.DateField(allow_null=True)


class ImportChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    column = serializers.CharField()
    old = serializers.CharField(allow_blank=True)
    new = serializers.CharField(allow_blank=True)


class ImportUpdateSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    email = serializers.EmailField()
    membership = serializers.IntegerField()
    changes = ImportChangeSerializer(many=True)


class ImportUnchangedSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    email = serializers.EmailField()


class ImportLeaverSerializer(serializers.Serializer):
    membership = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()
    left_on = serializers.DateField()


class ImportCountsSerializer(serializers.Serializer):
    adds = serializers.IntegerField()
    updates = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    leavers = serializers.IntegerField()
    errors = serializers.IntegerField()


class StaffImportResultSerializer(serializers.Serializer):
    """The preview (dry run) or what was applied."""

    applied = serializers.BooleanField()
    token = serializers.UUIDField(
        allow_null=True,
        help_text=_("The dry run's file, kept for a day: apply it with the fingerprint."),
    )
    school = serializers.SlugField()
    filename = serializers.CharField(allow_blank=True)
    sha256 = serializers.CharField()
    full_sync = serializers.BooleanField()
    fingerprint = serializers.CharField()
    counts = ImportCountsSerializer()
    adds = ImportRowSerializer(many=True)
    updates = ImportUpdateSerializer(many=True)
    unchanged = ImportUnchangedSerializer(many=True)
    leavers = ImportLeaverSerializer(many=True)
    errors = ImportProblemSerializer(many=True)


class SchoolFilter(django_filters.FilterSet):
    trust = django_filters.CharFilter(field_name="trust__slug", help_text="A trust's slug.")

    class Meta:
        model = School
        fields = ["country", "trust"]


class SchoolViewSet(ProductAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Schools the person belongs to (and has not left), or oversees as DSL or admin."""

    queryset = School.objects.none()
    serializer_class = SchoolSerializer
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
        today = school_today(self.request.school_access.school)
        still_here = Q(left_on__isnull=True) | Q(left_on__gt=today)
        return queryset.filter(still_here) if value else queryset.exclude(still_here)


@api_schema(parameters=[SCHOOL_SLUG])
class StaffViewSet(SchoolScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The school's staff, leavers included. DSLs, school admins and trust admins see
    everyone; anyone else sees only themselves. Only admins change anything."""

    queryset = Membership.objects.none()
    serializer_class = MembershipSerializer
    permission = Permission.VIEW_SCHOOL
    write_permission = Permission.MANAGE_STAFF
    filterset_class = MembershipFilter
    lookup_value_regex = ID_PATTERN

    def initial(self, request, *args, **kwargs):
        # A staff file's body is refused by its declared length before anything (the
        # session's CSRF check included) reads it.
        if self.action == "import_file":
            request_size_check(request, limit=cpd_settings.STAFF_IMPORT_MAX_BYTES)
        super().initial(request, *args, **kwargs)

    def get_queryset(self):
        return memberships_visible_to(user=self.request.user, access=self.school_access)

    @api_schema(request=MembershipLeaveSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, *args, **kwargs):
        """Mark the person as leaving on a date. Their records and certificates are kept."""
        membership = self.get_object()
        data = MembershipLeaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = membership_leave(
            membership=membership, left_on=data.validated_data["left_on"], actor=request.user
        )
        return Response(MembershipSerializer(membership).data)

    @api_schema(
        parameters=[StaffImportQuerySerializer],
        request={"multipart/form-data": StaffImportSerializer},
        responses={
            200: StaffImportResultSerializer,
            409: OpenApiResponse(
                {"$ref": "#/components/schemas/Error"},
                description=_(
                    "The school's staff changed since the dry run (code `stale_preview`): "
                    "nothing was imported. Dry-run the token again and apply the new "
                    "fingerprint."
                ),
            ),
        },
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
        """Import staff from a CSV or XLSX file, in two steps or one.

        With ``?dry_run=1`` and a file, nothing is saved but the file itself: the preview
        lists adds, updates (with the fields that change), unchanged rows, proposed leavers
        (with full sync) and every row's problems, with a ``token`` and a ``fingerprint``.
        Send those back (without the dry run) to apply that file: if the school's staff
        changed since the preview, the answer is 409 and nothing is saved. A file without
        the dry run is checked and applied at once. Either way it is applied all at once,
        or refused with every problem and nothing saved."""
        query = StaffImportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        dry_run = query.validated_data["dry_run"]
        body = StaffImportSerializer(data=request.data, context={"dry_run": dry_run})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        who = {"school": self.school, "actor": request.user}
        token = data.get("token")
        if dry_run and token:
            pending = staff_import_pending(**who, token=token)
            token, plan = pending.token, pending.plan
        elif dry_run:
            upload = data["file"]
            pending = staff_import_preview(
                **who,
                content=upload.read(cpd_settings.STAFF_IMPORT_MAX_BYTES + 1),
                filename=upload.name,
                full_sync=data["full_sync"],
            )
            token, plan = pending.token, pending.plan
        elif token:
            plan = staff_import_apply(
                **who,
                token=token,
                fingerprint=data["fingerprint"],
                confirm_leavers=data["confirm_leavers"],
            )
        else:
            upload = data["file"]
            plan = staff_import_at_once(
                **who,
                content=upload.read(cpd_settings.STAFF_IMPORT_MAX_BYTES + 1),
                filename=upload.name,
                full_sync=data["full_sync"],
                confirm_leavers=data["confirm_leavers"],
            )
        return Response({"applied": not dry_run, "token": token, **plan.as_dict()})
