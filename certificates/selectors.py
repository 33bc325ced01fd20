from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.models import Certificate
from cpd.conf import cpd_settings
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


def certificates_missing_pdf(*, school: School | None = None) -> QuerySet[Certificate]:
    """Valid certificates still without their PDF ``CPD_PDF_OVERDUE_MINUTES`` after issue:
    every attempt of their render task failed (storage refusing writes for longer than the
    retries last). A school's own, or every school's for the repair command. Anonymised
    holders' PDFs were deleted on purpose and are never listed."""
    cutoff = timezone.now() - timedelta(minutes=cpd_settings.PDF_OVERDUE_MINUTES)
    certificates = Certificate.objects.filter(
        status=Certificate.Status.VALID, pdf="", anonymised_at__isnull=True, issued_at__lt=cutoff
    )
    if school is not None:
        certificates = certificates.for_school(school)
    return certificates.order_by("issued_at", "pk")
