"""Who may do what in a school: the one table of role permissions, and the predicates built
from it. Pages and the API both ask through ``cpd.tenancy``, so one rule gives one answer.

A school's permissions come from the person's membership there (while not a leaver) and
from being an admin of its trust; superusers hold them all."""

from datetime import date
from enum import StrEnum

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpd.models import Membership, School, Trust, TrustRole


class Permission(StrEnum):
    """What a view may declare it needs (``@school_view(permission=...)``)."""

    VIEW_SCHOOL = "view_school"
    """Belong to the school or oversee it: its name, and one's own records there."""
    VIEW_COMPLIANCE = "view_compliance"
    """Everyone's training status, records, bulletins' readership, evidence packs, audit."""
    MANAGE_STAFF = "manage_staff"
    """Import staff, mark leavers, export a person's data."""
    MANAGE_REQUIREMENTS = "manage_requirements"
    """Change which training the school requires."""
    MANAGE_ARRANGEMENTS = "manage_arrangements"
    """Change the school's safeguarding arrangements and publish its policies."""


ALL_PERMISSIONS = frozenset(Permission)
_LEAD = frozenset({Permission.VIEW_SCHOOL, Permission.VIEW_COMPLIANCE})
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Membership.Role.STAFF: frozenset({Permission.VIEW_SCHOOL}),
    Membership.Role.DSL: _LEAD | {Permission.MANAGE_ARRANGEMENTS},
    Membership.Role.DEPUTY_DSL: _LEAD,
    Membership.Role.SCHOOL_ADMIN: ALL_PERMISSIONS,
}
TRUST_ADMIN_PERMISSIONS = ALL_PERMISSIONS

REFUSALS = {
    Permission.VIEW_SCHOOL: _("You are not a member of this school."),
    Permission.VIEW_COMPLIANCE: _("Only the school's DSLs and admins can see this."),
    Permission.MANAGE_STAFF: _("Only the school's admins can change its staff."),
    Permission.MANAGE_REQUIREMENTS: _("Only the school's admins can change its training rules."),
    Permission.MANAGE_ARRANGEMENTS: _(
        "Only the school's DSL and admins can change its safeguarding arrangements and policies."
    ),
}


def _today() -> date:
    return timezone.localdate()


def schools_where_q(user, permission: Permission) -> Q:
    """Schools where this user holds ``permission``, as a filter for ``School`` queries."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    roles = [role for role, granted in ROLE_PERMISSIONS.items() if permission in granted]
    member = Membership.objects.filter(user=user, role__in=roles).current(_today())
    trusts = TrustRole.objects.filter(user=user, role=TrustRole.Role.TRUST_ADMIN)
    return Q(pk__in=member.values("school_id")) | Q(trust_id__in=trusts.values("trust_id"))


def staff_managers_q(*, user: str = "", on: date | None = None) -> Q:
    """People who hold ``MANAGE_STAFF`` in at least one school today (a current school
    admin, an admin of a trust with a school, a superuser), as a filter for a query over
    users (``user=""``) or over rows with a foreign key to one (``user="user"``): the same
    rule as ``managed_schools_q``, checked inside the query that fetches the rows."""
    prefix, ref = (f"{user}__", OuterRef(f"{user}_id")) if user else ("", OuterRef("pk"))
    roles = [role for role, held in ROLE_PERMISSIONS.items() if Permission.MANAGE_STAFF in held]
    member = Membership.objects.filter(user_id=ref, role__in=roles).current(on or _today())
    trust = School.objects.filter(
        trust__roles__user_id=ref, trust__roles__role=TrustRole.Role.TRUST_ADMIN
    )
    return Q(**{f"{prefix}is_superuser": True}) | Exists(member) | Exists(trust)


def compliance_schools_q(user) -> Q:
    return schools_where_q(user, Permission.VIEW_COMPLIANCE)


def managed_schools_q(user) -> Q:
    return schools_where_q(user, Permission.MANAGE_STAFF)


def schools_with_permissions(user, *, on: date | None = None):
    """``School`` rows annotated with this user's role there (``member_role``) and whether
    they administer its trust (``trust_admin``): enough to know every permission in the
    same query that finds the school."""
    on = on or _today()
    role = Membership.objects.filter(user=user, school=OuterRef("pk")).current(on)
    trust = TrustRole.objects.filter(
        user=user, trust_id=OuterRef("trust_id"), role=TrustRole.Role.TRUST_ADMIN
    )
    return School.objects.annotate(
        member_role=Subquery(role.values("role")[:1]), trust_admin=Exists(trust)
    )


def permissions_of(user, school: School) -> frozenset[Permission]:
    """The permissions of a school fetched through ``schools_with_permissions``."""
    if not user.is_authenticated:
        return frozenset()
    if user.is_superuser or school.trust_admin:
        return ALL_PERMISSIONS
    return ROLE_PERMISSIONS.get(school.member_role, frozenset())


def school_permissions(user, school: School) -> frozenset[Permission]:
    """The permissions this user holds in ``school`` (one query)."""
    if not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return ALL_PERMISSIONS
    annotated = schools_with_permissions(user).get(pk=school.pk)
    return permissions_of(user, annotated)


def can_view_compliance(user, school: School) -> bool:
    return Permission.VIEW_COMPLIANCE in school_permissions(user, school)


def can_view_trust(user, trust: Trust) -> bool:
    if not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or TrustRole.objects.filter(
            user=user, trust=trust, role=TrustRole.Role.TRUST_ADMIN
        ).exists()
    )
