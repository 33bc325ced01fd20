"""What every school-scoped API view stands on: the school and the caller's permissions
there, resolved once in ``initial()`` by the same ``cpd.tenancy.school_access`` the pages
use, so a page and its endpoint answer alike (404 for a school the caller cannot see, 403
for an action they may not take there)."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.metadata import SimpleMetadata
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.throttling import SimpleRateThrottle

from cpd.accounts.addresses import client_key
from cpd.accounts.tokens import ApiTokenAuthentication
from cpd.api.errors import exception_handler
from cpd.api.pagination import PageNumberPagination
from cpd.permissions import Permission
from cpd.tenancy import school_access

ID_PATTERN = r"[0-9]{1,18}"

SCHOOL_SLUG = OpenApiParameter(
    "school_slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The school's slug."
)


def api_schema(**kwargs):
    """drf-spectacular's ``extend_schema``, built on its ``AutoSchema`` whatever the host's
    ``DEFAULT_SCHEMA_CLASS``: on a method, ``extend_schema`` extends the class that setting
    names, unless the method already names one (as below)."""

    def decorator(target):
        if not isinstance(target, type):
            target.kwargs = getattr(target, "kwargs", None) or {}
            target.kwargs.setdefault("schema", AutoSchema)
        return extend_schema(**kwargs)(target)

    return decorator


def named_choices(
    component_name: str, choices: list[tuple[str, str]]
) -> type[serializers.ChoiceField]:
    """A ``ChoiceField`` whose choices are one named enum in the schema: several
    serializers have a ``status`` with different choices, and drf-spectacular would
    otherwise name them by hash (``Status0b7Enum``) unless the host's settings named them."""
    values = [value for value, _label in choices]

    @extend_schema_field({"type": "string", "enum": values}, component_name=component_name)
    class NamedChoiceField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices, **kwargs)

    NamedChoiceField.__name__ = component_name.removesuffix("Enum") + "Field"
    return NamedChoiceField


class ClientRateThrottle(SimpleRateThrottle):
    """A throttle counting per client the way every rate limit does
    (``cpd.accounts.addresses``, ``CPD_TRUSTED_PROXY_COUNT``), not by DRF's ``NUM_PROXIES``,
    which a host's ``REST_FRAMEWORK`` would set and which trusts any ``X-Forwarded-For``
    when unset."""

    def get_ident(self, request) -> str:
        return client_key(None, request)


class ProductAPIMixin:
    """The API's own settings, so that a host project's ``REST_FRAMEWORK`` changes nothing
    here and needs nothing for it: an API token first (``cpd.accounts.tokens``; an anonymous
    request gets 401 with a ``WWW-Authenticate`` header), then the session; signed-in
    callers only unless a view says otherwise; 50 a page; django-filter; JSON errors with a ``code``
    (``cpd.api.errors``); drf-spectacular's schema. Every product API view starts with it."""

    authentication_classes = (ApiTokenAuthentication, SessionAuthentication)
    permission_classes = (IsAuthenticated,)
    pagination_class = PageNumberPagination
    filter_backends = (DjangoFilterBackend,)
    renderer_classes = (JSONRenderer, BrowsableAPIRenderer)
    parser_classes = (JSONParser, FormParser, MultiPartParser)
    throttle_classes = ()
    content_negotiation_class = DefaultContentNegotiation
    metadata_class = SimpleMetadata
    versioning_class = None
    schema = AutoSchema()

    def get_exception_handler(self):
        return exception_handler


class SchoolScopedMixin(ProductAPIMixin):
    """For views under ``schools/<school_slug>/``. Declare ``permission`` (to read) and
    ``write_permission`` (for other methods), or ``action_permissions`` by viewset action;
    ``self.school`` and ``self.school_access`` are set before the handler runs."""

    permission: Permission = Permission.VIEW_SCHOOL
    write_permission: Permission | None = None
    action_permissions: dict[str, Permission] = {}

    def required_permission(self, request) -> Permission:
        action = getattr(self, "action", None)
        if action in self.action_permissions:
            return self.action_permissions[action]
        if request.method in SAFE_METHODS or self.write_permission is None:
            return self.permission
        return self.write_permission

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication and IsAuthenticated first
        access = school_access(user=request.user, slug=kwargs["school_slug"])
        access.require(self.required_permission(request))
        self.school_access = request.school_access = access
        self.school = access.school
