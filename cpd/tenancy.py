"""The tenancy spine: the school and the actor's permissions there, resolved once per
request, the same way for pages and the API (pretix resolves ``request.event`` and its
permission set the same way).

- A school the actor may not see at all is a 404, never a 403, so that another school's
  existence is not revealed.
- A school they may see, for an action they may not take, is a 403.

Pages declare what they need with ``@school_view(Permission.X)``; API views with
``permission = Permission.X`` on ``cpd.api.base.SchoolScopedMixin``. Both call
``school_access`` below."""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _

from cpd.errors import NotAllowed, NotFound
from cpd.models import School
from cpd.permissions import REFUSALS, Permission, permissions_of, schools_with_permissions


@dataclass(frozen=True)
class SchoolAccess:
    school: School
    permissions: frozenset[Permission]

    def allows(self, permission: Permission) -> bool:
        return permission in self.permissions

    def require(self, permission: Permission) -> None:
        if permission not in self.permissions:
            raise NotAllowed(str(REFUSALS[permission]))


def school_access(*, user, slug: str) -> SchoolAccess:
    """The school with this slug and the user's permissions there, in one query; a
    ``NotFound`` if they hold none (not a member, not its trust's admin)."""
    school = None
    if user.is_authenticated:
        school = schools_with_permissions(user).select_related("trust").filter(slug=slug).first()
    permissions = permissions_of(user, school) if school is not None else frozenset()
    if not permissions:
        raise NotFound(_("No such school."))
    return SchoolAccess(school=school, permissions=permissions)


def school_view(permission: Permission):
    """For a page under ``schools/<slug:slug>/``: signs the person in if needed, resolves
    the school (404 if unseen, 403 without ``permission``), sets ``request.school_access``
    and calls the view as ``view(request, school, **the other url kwargs)``."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, slug: str, *args, **kwargs):
            access = school_access(user=request.user, slug=slug)
            access.require(permission)
            request.school_access = access
            return view(request, access.school, *args, **kwargs)

        return wrapped

    return decorator
