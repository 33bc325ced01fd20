from functools import cached_property

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import BasePermission

from cpd.models import School
from cpd.people.selectors import school_visible_to

ID_PATTERN = r"[0-9]{1,18}"


SCHOOL_SLUG = OpenApiParameter(
    "school_slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The school's slug."
)


class SchoolVisible(BasePermission):
    """Resolves the school: a 404 for a school the person cannot see at all."""

    def has_permission(self, request, view) -> bool:
        return view.school is not None


class SchoolScopedMixin:
    @cached_property
    def school(self) -> School:
        return school_visible_to(user=self.request.user, slug=self.kwargs["school_slug"])
