"""What every school-scoped API view stands on: the school and the caller's permissions
there, resolved once in ``initial()`` by the same ``cpd.tenancy.school_access`` the pages
use, so a page and its endpoint answer alike (404 for a school the caller cannot see, 403
for an action they may not take there)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import SAFE_METHODS

from cpd.permissions import Permission
from cpd.tenancy import school_access

ID_PATTERN = r"[0-9]{1,18}"

SCHOOL_SLUG = OpenApiParameter(
    "school_slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The school's slug."
)


class SchoolScopedMixin:
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
        self.school_access = access
        self.school = access.school
