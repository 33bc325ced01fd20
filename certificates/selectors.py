from django.db.models import Q, QuerySet
from django.http import Http404

from certificates.models import Certificate
from cpd.models import School
from cpd.permissions import compliance_schools_q


def certificates_visible_to(*, user) -> QuerySet[Certificate]:
    """A person's own certificates, and those of schools whose compliance they may see."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    schools = School.objects.filter(compliance_schools_q(user)).values("pk")
    return Certificate.objects.filter(
        Q(membership__user=user) | Q(membership__school__in=schools)
    ).select_related("membership__school", "membership__user")


def certificate_for(*, user, serial: str) -> Certificate:
    certificate = certificates_visible_to(user=user).filter(serial=serial).first()
    if certificate is None:
        raise Http404("No such certificate.")
    return certificate


def certificate_by_code(*, code: str) -> Certificate | None:
    """Public lookup for verification: the code is the secret."""
    return (
        Certificate.objects.filter(verification_code=code).select_related("superseded_by").first()
    )


def certificates_held_by(*, user) -> QuerySet[Certificate]:
    """Everything this person holds, in every school, past and current: newest first."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    return (
        Certificate.objects.filter(membership__user=user)
        .select_related("membership__school")
        .order_by("-issued_at", "-pk")
    )


def certificate_for_management(*, user, serial: str) -> Certificate:
    """A certificate this user may revoke or re-issue: one of a school whose compliance
    they may see (DSL, deputy, school admin, trust admin). Anything else is a 404."""
    certificate = (
        Certificate.objects.filter(
            serial=serial, membership__school__in=School.objects.filter(compliance_schools_q(user))
        )
        .select_related("membership__school", "membership__user")
        .first()
    )
    if certificate is None:
        raise Http404("No such certificate.")
    return certificate
