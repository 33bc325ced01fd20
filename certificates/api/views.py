from django.utils.cache import add_never_cache_headers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from certificates import selectors
from certificates.api.serializers import VerificationSerializer
from cpd.api.base import ClientRateThrottle, ProductAPIMixin, api_schema
from cpd.conf import cpd_settings


class VerifyRateThrottle(ClientRateThrottle):
    """Lookups per client IP address, at ``CPD_VERIFY_RATE`` (read on every request)."""

    scope = "cpd_verify"

    def get_rate(self) -> str:
        return cpd_settings.VERIFY_RATE

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class VerifyView(ProductAPIMixin, APIView):
    """Public verification of a certificate by its code: status (valid, expired, revoked,
    superseded), course and version, dates, school and holder's name. No login; rate
    limited per client IP address (``CPD_VERIFY_RATE``)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [VerifyRateThrottle]
    serializer_class = VerificationSerializer

    @api_schema(responses=VerificationSerializer, auth=[], operation_id="verify_certificate")
    def get(self, request, code: str):
        certificate = (
            selectors.certificate_by_code(code=code)
            if selectors.could_be_verification_code(code)
            else None
        )
        if certificate is None:
            raise NotFound("No certificate has this verification code.")
        # Public, but it names the holder: never kept, as the verification page.
        response = Response(VerificationSerializer(certificate).data)
        add_never_cache_headers(response)
        return response
