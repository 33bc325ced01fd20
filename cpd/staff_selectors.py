"""Who may see and manage a school's staff, and the reads behind the staff pages and API.

Kept apart from ``cpd.permissions`` and ``cpd.selectors`` while those are being changed
elsewhere; the predicates follow the same rules (leavers count for nothing, another
school's rows are a 404)."""

from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cpd.models import Membership, School, TrustRole
from cpd.permissions import compliance_schools_q


def _current(on: date) -> Q:
    return Q(left_on__isnull=True) | Q(left_on__gt=on)


def staff_admin_schools_q(user, *, on: date | None = None) -> Q:
    """Schools whose staff this user may change (import, mark leavers, API tokens): as a
    school admin who has not left, as admin of the school's trust, or as a superuser."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    on = on or timezone.localdate()
    admin_of = Membership.objects.filter(user=user, role=Membership.Role.SCHOOL_ADMIN).filter(
        _current(on)
    )
    trusts = TrustRole.objects.filter(user=user, role=TrustRole.Role.TRUST_ADMIN)
    return Q(pk__in=admin_of.values("school_id")) | Q(trust_id__in=trusts.values("trust_id"))


def can_manage_staff(user, school: School) -> bool:
    return School.objects.filter(staff_admin_schools_q(user), pk=school.pk).exists()


def can_view_staff(user, school: School) -> bool:
    """Everyone who may see the school's compliance may see its staff list (read-only for
    DSLs and deputies)."""
    return School.objects.filter(compliance_schools_q(user), pk=school.pk).exists()


def schools_visible_to(*, user, on: date | None = None) -> QuerySet[School]:
    """Schools a person belongs to (and has not left), and those they oversee."""
    if not user.is_authenticated:
        return School.objects.none()
    on = on or timezone.localdate()
    member_of = Membership.objects.filter(user=user).filter(_current(on)).values("school_id")
    return (
        School.objects.filter(Q(pk__in=member_of) | compliance_schools_q(user))
        .select_related("trust")
        .order_by("name")
    )


def school_visible_to(*, user, slug: str) -> School:
    """The school, if this user may see it at all; otherwise 404, not 403, so that another
    school's existence is not revealed."""
    school = schools_visible_to(user=user).filter(slug=slug).first()
    if school is None:
        raise Http404("No such school.")
    return school


def school_for_staff(*, user, slug: str) -> School:
    school = School.objects.filter(compliance_schools_q(user), slug=slug).first()
    if school is None:
        raise Http404("No such school.")
    return school


def memberships_visible_to(*, user, school: School) -> QuerySet[Membership]:
    """The school's memberships this user may see, leavers included: all of them for its
    DSLs, school admins and trust admins; for anyone else only their own."""
    memberships = Membership.objects.for_school(school).select_related("user", "school")
    if not can_view_staff(user, school):
        memberships = memberships.filter(user=user)
    return memberships.order_by("user__last_name", "user__first_name", "pk")
