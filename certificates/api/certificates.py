"""Certificates in the API: the list a person may see (their own, and their schools' as a
DSL or admin) and the stored PDF."""

import django_filters
from django.http import FileResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation

from certificates.models import Certificate
from certificates.selectors import certificates_visible_to
from certificates.services import certificate_render
from cpd.urls_absolute import absolute_url


class CertificateSerializer(serializers.ModelSerializer):
    course = serializers.SlugField(source="course.slug", read_only=True)
    school = serializers.SlugField(source="membership.school.slug", read_only=True)
    membership = serializers.IntegerField(source="membership_id", read_only=True)
    standing = serializers.SerializerMethodField(
        help_text="valid, expired, revoked or superseded, today."
    )
    verification_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "serial",
            "status",
            "standing",
            "holder_name",
            "membership",
            "school",
            "school_name",
            "course",
            "course_title",
            "course_version_number",
            "reviewed_against",
            "cpd_minutes",
            "score",
            "completed_on",
            "expires_on",
            "issued_at",
            "verification_url",
        ]
        read_only_fields = fields

    def get_standing(self, certificate: Certificate) -> str:
        return certificate.standing_on(timezone.localdate())

    def get_verification_url(self, certificate: Certificate) -> str:
        return absolute_url(
            "certificates:verify",
            kwargs={"code": certificate.verification_code},
            request=self.context.get("request"),
        )


class CertificateFilter(django_filters.FilterSet):
    course = django_filters.CharFilter(field_name="course__slug", help_text="A course's slug.")
    school = django_filters.CharFilter(
        field_name="membership__school__slug", help_text="A school's slug."
    )
    status = django_filters.ChoiceFilter(choices=Certificate.Status.choices)
    mine = django_filters.BooleanFilter(method="filter_mine", help_text="true: only your own.")

    class Meta:
        model = Certificate
        fields = ["course", "school", "status", "mine"]

    def filter_mine(self, queryset, name, value):
        mine = {"membership__user": self.request.user}
        return queryset.filter(**mine) if value else queryset.exclude(**mine)


class AnyAcceptNegotiation(DefaultContentNegotiation):
    """The PDF download answers whatever the client accepts: the file when there is one,
    JSON errors otherwise — never a 406."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class CertificateViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Certificate.objects.none()
    serializer_class = CertificateSerializer
    filterset_class = CertificateFilter
    lookup_field = "serial"
    lookup_value_regex = r"[A-Za-z0-9-]{1,40}"

    def get_queryset(self):
        return (
            certificates_visible_to(user=self.request.user)
            .select_related("course")
            .order_by("-issued_at", "-pk")
        )

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF"),
            404: OpenApiResponse(description="Not found, or not visible to you."),
        }
    )
    @action(
        detail=True,
        methods=["get"],
        content_negotiation_class=AnyAcceptNegotiation,
        filterset_class=None,
    )
    def pdf(self, request, *args, **kwargs):
        """The certificate's stored PDF (rendered once, at issue)."""
        certificate = self.get_object()
        if not certificate.pdf:
            certificate = certificate_render(certificate=certificate)
        return FileResponse(
            certificate.pdf.open("rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=f"{certificate.serial}.pdf",
        )
