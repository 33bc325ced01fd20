"""DRF permission classes wrapping the role predicates. School-scoped views resolve the
school first (``view.school``: a 404 if the person cannot see it at all), so these only
decide between allowed and 403."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from cpd.accounts.tokens import api_token_allowed
from cpd.permissions import can_manage_school, can_view_compliance


class CanViewSchoolStaff(BasePermission):
    """DSLs, deputies, school admins and trust admins: the whole school."""

    message = "Only the school's DSLs and admins can see this."

    def has_permission(self, request, view) -> bool:
        return can_view_compliance(request.user, view.school)


class CanManageSchoolStaff(BasePermission):
    message = "Only the school's admins can change its staff."

    def has_permission(self, request, view) -> bool:
        return can_manage_school(request.user, view.school)


class ReadOrManageStaff(BasePermission):
    """Reading is for anyone who sees the school (staff see only themselves); changing is
    for its admins."""

    message = CanManageSchoolStaff.message

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return can_manage_school(request.user, view.school)


class MayHoldApiToken(BasePermission):
    message = "Only school and trust admins can use API tokens."

    def has_permission(self, request, view) -> bool:
        return api_token_allowed(request.user)
