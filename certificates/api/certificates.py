"""Certificates in the API: the list a person may see (their own, and their schools' as a
DSL or admin), the stored PDF, and revoking one."""

import django_filters
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response

from certificates.forms import RevokeForm
from certificates.models import Certificate
from certificates.selectors import certificate_for, certificates_visible_to
from certificates.services import certificate_pdf_open, certificate_revoke
from cpd.api.base import ProductAPIMixin, api_schema, named_choices
from cpd.urls_absolute import absolute_url

# The JSON error body every API error has (added to the schema by cpd.api.schema).
ERROR = {"$ref": "#/components/schemas/Error"}


class CertificateSerializer(serializers.ModelSerializer):
    status = named_choices("CertificateStatusEnum", Certificate.Status.choices)(read_only=True)
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


REVOKE_REASON_REQUIRED = RevokeForm.base_fields["reason"].error_messages["required"]


class CertificateRevokeSerializer(serializers.Serializer):
    """The body of a revocation: the same field, length and message as the web page's form."""

    reason = serializers.CharField(
        max_length=RevokeForm.base_fields["reason"].max_length,
        help_text=_(
            "Why it is revoked. Recorded with your name and the time; the holder is not shown it."
        ),
        error_messages={
            "required": REVOKE_REASON_REQUIRED,
            "blank": REVOKE_REASON_REQUIRED,
            "null": REVOKE_REASON_REQUIRED,
        },
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


class CertificateViewSet(ProductAPIMixin, viewsets.ReadOnlyModelViewSet):
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

    @api_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF"),
            404: OpenApiResponse(
                ERROR,
                description="Not found, or not visible to you; or the holder has been "
                'anonymised and the file removed (code "anonymised").',
            ),
        }
    )
    @action(
        detail=True,
        methods=["get"],
        content_negotiation_class=AnyAcceptNegotiation,
        filterset_class=None,
    )
    def pdf(self, request, *args, **kwargs):
        """The certificate's stored PDF (rendered once, at issue), as the web page serves it
        (``certificate_pdf_open``)."""
        certificate = certificate_for(user=request.user, serial=kwargs["serial"])
        return FileResponse(
            certificate_pdf_open(certificate=certificate, actor=request.user),
            content_type="application/pdf",
            as_attachment=True,
            filename=f"{certificate.serial}.pdf",
        )

    @api_schema(
        request=CertificateRevokeSerializer,
        responses={
            200: OpenApiResponse(CertificateSerializer, description="Revoked: the certificate."),
            400: OpenApiResponse(
                ERROR,
                description="No reason given, or the certificate is already revoked or "
                "superseded; nothing was changed.",
            ),
            403: OpenApiResponse(
                ERROR,
                description="You may see this certificate but not revoke it: only the "
                "school's DSLs, deputies and admins, and its trust's admins, can.",
            ),
            404: OpenApiResponse(ERROR, description="Not found, or not visible to you."),
        },
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def revoke(self, request, *args, **kwargs):
        """Revoke a valid certificate: verification shows it as revoked from now on. The
        reason, who and when are recorded; the PDF stays as it was."""
        certificate = certificate_for(user=request.user, serial=kwargs["serial"])
        body = CertificateRevokeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # The service decides, as for the web page: 404 if the certificate is not visible,
        # 403 if it is but not yours to revoke (certificates.permissions). An already revoked
        # or superseded certificate is a ValidationError, a 400 here as on the page
        # (cpd.api.errors), not a 409: the rules refuse it, like every other refusal.
        revoked = certificate_revoke(
            certificate=certificate, actor=request.user, reason=body.validated_data["reason"]
        )
        return Response(self.get_serializer(revoked).data)
