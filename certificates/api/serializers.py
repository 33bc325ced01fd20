from datetime import date

from django.utils import timezone
from rest_framework import serializers

from certificates.models import Certificate


class VerificationSerializer(serializers.ModelSerializer):
    """What anyone holding a certificate's code may see: enough to match the paper."""

    status = serializers.SerializerMethodField(
        help_text="valid, expired, revoked or superseded, today."
    )
    course = serializers.CharField(source="course_title", read_only=True)
    course_version = serializers.IntegerField(source="course_version_number", read_only=True)
    school = serializers.CharField(source="school_name", read_only=True)
    revoked_on = serializers.SerializerMethodField()
    reissued = serializers.SerializerMethodField(
        help_text="null, or how this certificate replaced another: reissued or name_corrected."
    )

    class Meta:
        model = Certificate
        fields = [
            "serial",
            "status",
            "holder_name",
            "course",
            "course_version",
            "reviewed_against",
            "school",
            "completed_on",
            "expires_on",
            "revoked_on",
            "reissued",
        ]
        read_only_fields = fields

    def get_status(self, certificate: Certificate) -> str:
        return certificate.standing_on(timezone.localdate())

    def get_reissued(self, certificate: Certificate) -> str | None:
        if certificate.supersedes_id is None:
            return None
        return "name_corrected" if certificate.name_correction else "reissued"

    def get_revoked_on(self, certificate: Certificate) -> date | None:
        if certificate.revoked_at is None:
            return None
        return timezone.localdate(certificate.revoked_at)
