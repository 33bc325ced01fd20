"""Serializers for cpd's API. They shape data in and out; every change goes through a
service, never ``serializer.save()``."""

from datetime import date

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cpd.models import Membership, Requirement, School
from cpd.selectors import Status


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
    first_name = serializers.CharField(source="user.first_name", read_only=True)
    last_name = serializers.CharField(source="user.last_name", read_only=True)
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
        help_text=_("CSV (comma or semicolon separated, UTF-8 or Windows-1252) or XLSX.")
    )
    full_sync = serializers.BooleanField(
        default=False,
        help_text=_("The file lists all current staff: propose everyone missing as a leaver."),
    )
    confirm_leavers = serializers.BooleanField(
        default=False, help_text=_("With full sync, mark the proposed leavers as left.")
    )


class StaffImportQuerySerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(
        default=False, help_text=_("1: check the file and return the preview; save nothing.")
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


class RequirementSerializer(serializers.ModelSerializer):
    course = serializers.SlugField(source="course.slug", read_only=True)
    course_title = serializers.CharField(source="course.title", read_only=True)
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)
    staff_categories = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Requirement
        fields = [
            "id",
            "name",
            "scope",
            "course",
            "course_title",
            "roles",
            "staff_categories",
            "renewal_months",
            "induction_days",
            "due_soon_days",
        ]
        read_only_fields = fields


class ComplianceQuerySerializer(serializers.Serializer):
    on = serializers.DateField(
        required=False, help_text=_("The date to report on; today if empty.")
    )
    status = serializers.ChoiceField(
        choices=list(Status.LABELS), required=False, help_text=_("Only rows with this status.")
    )
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
    name = serializers.CharField(source="membership.user.get_full_name")
    role = serializers.CharField(source="membership.role")
    staff_category = serializers.CharField(source="membership.staff_category")
    requirement = serializers.IntegerField(source="requirement.pk")
    requirement_name = serializers.CharField(source="requirement.name")
    course = serializers.SlugField(source="requirement.course.slug")
    status = serializers.ChoiceField(choices=list(Status.LABELS))
    status_label = serializers.CharField(source="label")
    due_on = serializers.DateField(allow_null=True)
    expires_on = serializers.DateField(allow_null=True)
    certificate = serializers.IntegerField(source="certificate_id", allow_null=True)


class ApiTokenSerializer(serializers.Serializer):
    key = serializers.CharField(
        allow_null=True,
        help_text=_("The token, only in the response that creates it; null otherwise."),
    )
    created = serializers.DateTimeField(allow_null=True)
