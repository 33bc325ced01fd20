from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cpd.accounts.tokens import (
    api_token_allowed,
    api_token_create,
    api_token_list,
    api_token_revoke,
)
from cpd.api.base import ProductAPIMixin, api_schema
from cpd.conf import cpd_settings


class MayMakeApiToken(BasePermission):
    """Making a token needs the admin role; listing and revoking one's own never does."""

    message = _("Only school and trust admins can use API tokens.")

    def has_permission(self, request, view) -> bool:
        return request.method != "POST" or api_token_allowed(request.user)


class ApiTokenSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    created = serializers.DateTimeField(source="created_at", read_only=True)
    expires = serializers.DateTimeField(source="expires_at", read_only=True)
    last_used = serializers.DateTimeField(source="last_used_at", read_only=True, allow_null=True)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(
        read_only=True, help_text=_("The key: in this response only; it is stored nowhere.")
    )


class ApiTokenRequestSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=100, help_text=_("What the token is for, e.g. 'HR system'.")
    )
    days = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("How many days it lasts (CPD_API_TOKEN_DAYS if left out)."),
    )

    def validate_days(self, value: int) -> int:
        most = cpd_settings.API_TOKEN_MAX_DAYS
        if value > most:
            raise serializers.ValidationError(
                _("A token can last at most %(most)d days.") % {"most": most}
            )
        return value


class ApiTokenListView(ProductAPIMixin, APIView):
    """Your API tokens, for integrations that act with your access. GET lists them (never
    their keys); POST makes one (school and trust admins only), and its response is the only
    place the key appears."""

    permission_classes = [IsAuthenticated, MayMakeApiToken]
    pagination_class = None
    filter_backends = ()
    serializer_class = ApiTokenSerializer

    @api_schema(responses=ApiTokenSerializer(many=True), operation_id="api_tokens_list")
    def get(self, request):
        tokens = api_token_list(user=request.user)
        return Response(ApiTokenSerializer(tokens, many=True).data)

    @api_schema(
        request=ApiTokenRequestSerializer,
        responses={201: ApiTokenCreatedSerializer},
        operation_id="api_tokens_create",
    )
    def post(self, request):
        body = ApiTokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        token, key = api_token_create(user=request.user, name=data["name"], days=data.get("days"))
        token.key = key
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)


class ApiTokenDetailView(ProductAPIMixin, APIView):
    """One of your tokens: DELETE revokes it, whatever your role now. Anyone else's is a
    404."""

    permission_classes = [IsAuthenticated]
    filter_backends = ()

    @api_schema(
        request=None,
        responses={204: OpenApiResponse(description="Revoked.")},
        operation_id="api_tokens_revoke",
    )
    def delete(self, request, pk: int):
        api_token_revoke(user=request.user, token_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
