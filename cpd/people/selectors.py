"""The reads behind the staff pages and API. Who may see or manage a school's staff is
decided by ``cpd.permissions`` (leavers count for nothing; another school's rows are a 404)."""

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from cpd.models import Membership, School
from cpd.permissions import Permission, compliance_schools_q
from cpd.tenancy import SchoolAccess


def memberships_of(*, user, on: date) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .active_on(on)
        .select_related("school", "school__trust")
        .order_by("school__name")
    )


def schools_visible_to(*, user, on: date | None = None) -> QuerySet[School]:
    """Schools a person belongs to (and has not left), and those they oversee."""
    if not user.is_authenticated:
        return School.objects.none()
    on = on or timezone.localdate()
    member_of = Membership.objects.filter(user=user).current(on).values("school_id")
    return (
        School.objects.filter(Q(pk__in=member_of) | compliance_schools_q(user))
        .select_related("trust")
        .order_by("name")
    )


def memberships_visible_to(*, user, access: SchoolAccess) -> QuerySet[Membership]:
    """The school's memberships this user may see, leavers included: all of them for its
    DSLs, school admins and trust admins; for anyone else only their own. ``access`` is
    what the tenancy spine already resolved for this request."""
    memberships = Membership.objects.for_school(access.school).select_related("user", "school")
    if not access.allows(Permission.VIEW_COMPLIANCE):
        memberships = memberships.filter(user=user)
    return memberships.order_by("last_name", "first_name", "pk")


def invitations_of(*, user) -> QuerySet[Membership]:
    """The schools waiting for this person to accept their invitation."""
    return (
        Membership.objects.filter(user=user, status=Membership.Status.INVITED)
        .select_related("school", "user")
        .order_by("school__name")
    )


def schools_led_by(*, user) -> QuerySet[School]:
    """The schools whose compliance this person may see (as DSL, deputy, school admin or
    trust admin), by name: the school switcher's choices."""
    return School.objects.filter(compliance_schools_q(user)).order_by("name")
