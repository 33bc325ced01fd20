"""Who may see what. Each predicate answers for one user and one school or trust."""

from datetime import date

from django.db.models import Q
from django.utils import timezone

from cpd.models import Membership, School, Trust, TrustRole

SAFEGUARDING_ROLES = (
    Membership.Role.DSL,
    Membership.Role.DEPUTY_DSL,
    Membership.Role.SCHOOL_ADMIN,
)


def _today() -> date:
    return timezone.localdate()


def compliance_schools_q(user) -> Q:
    """Schools whose compliance this user may see: as DSL, deputy or school admin (while
    not a leaver), or as admin of the school's trust."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    today = _today()
    led = Membership.objects.filter(user=user, role__in=SAFEGUARDING_ROLES).current(today)
    trusts = TrustRole.objects.filter(user=user, role=TrustRole.Role.TRUST_ADMIN)
    return Q(pk__in=led.values("school_id")) | Q(trust_id__in=trusts.values("trust_id"))


def can_view_compliance(user, school: School) -> bool:
    return School.objects.filter(compliance_schools_q(user), pk=school.pk).exists()


def can_view_trust(user, trust: Trust) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or TrustRole.objects.filter(user=user, trust=trust).exists()


def managed_schools_q(user) -> Q:
    """Schools whose settings this user may change: as school admin (not a leaver), or as
    admin of the school's trust."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    today = _today()
    admin_of = Membership.objects.filter(user=user, role=Membership.Role.SCHOOL_ADMIN).current(
        today
    )
    trusts = TrustRole.objects.filter(user=user, role=TrustRole.Role.TRUST_ADMIN)
    return Q(pk__in=admin_of.values("school_id")) | Q(trust_id__in=trusts.values("trust_id"))


def can_manage_school(user, school: School) -> bool:
    return School.objects.filter(managed_schools_q(user), pk=school.pk).exists()
