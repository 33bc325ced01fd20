from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cpd.accounts.tokens import api_token_allowed, api_token_create, api_token_revoke
from cpd.api.base import ProductAPIMixin, api_schema


class MayHoldApiToken(BasePermission):
    message = _("Only school and trust admins can use API tokens.")

    def has_permission(self, request, view) -> bool:
        return api_token_allowed(request.user)


class ApiTokenSerializer(serializers.Serializer):
    key = serializers.CharField(
        allow_null=True,
        help_text=_("The token, only in the response that creates it; null otherwise."),
    )
    created = serializers.DateTimeField(allow_null=True)


class ApiTokenView(ProductAPIMixin, APIView):
    """Your API token, for an integration that acts with your access (school and trust
    admins only). POST makes a new one (replacing any other) and is the only response that
    shows the key; DELETE revokes it."""

    permission_classes = [IsAuthenticated, MayHoldApiToken]
    serializer_class = ApiTokenSerializer

    def _body(self, token, *, show_key: bool) -> dict:
        return {
            "key": token.key if token and show_key else None,
            "created": token.created if token else None,
        }

    @api_schema(responses=ApiTokenSerializer)
    def get(self, request):
        token = Token.objects.filter(user=request.user).first()
        return Response(self._body(token, show_key=False))

    @api_schema(request=None, responses={201: ApiTokenSerializer})
    def post(self, request):
        token = api_token_create(user=request.user)
        return Response(self._body(token, show_key=True), status=status.HTTP_201_CREATED)

    @api_schema(request=None, responses={204: OpenApiResponse(description="Revoked.")})
    def delete(self, request):
        api_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
