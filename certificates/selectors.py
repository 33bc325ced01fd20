from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from certificates.models import Certificate
from cpd.errors import NotFound
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
    """The certificate with this serial, if this user may see it; otherwise ``NotFound``
    (another school's certificate is indistinguishable from a missing one). The page and
    the API both look certificates up here."""
    certificate = certificates_visible_to(user=user).filter(serial=serial).first()
    if certificate is None:
        raise NotFound(_("Not found, or not visible to you."))
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


def exports_for_school(*, school: School) -> QuerySet:
    from certificates.models import Export

    return Export.objects.filter(school=school).select_related("requested_by")


def export_for(*, user, slug: str, pk: int):
    """An evidence pack of a school whose compliance this user may see; otherwise 404."""
    from certificates.models import Export

    export = (
        Export.objects.filter(
            pk=pk,
            school__slug=slug,
            school__in=School.objects.filter(compliance_schools_q(user)),
        )
        .select_related("school", "requested_by")
        .first()
    )
    if export is None:
        raise NotFound(_("No such evidence pack."))
    return export


def courses_certified_in(*, school: School):
    """Courses with at least one certificate in this school: the evidence pack's choices."""
    from courses.models import Course

    return (
        Course.objects.filter(certificates__membership__school=school).distinct().order_by("title")
    )
