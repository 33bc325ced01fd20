import re
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


_SERIAL = re.compile(r"[A-Za-z0-9-]{1,40}")


def certificate_for(*, user, serial: str) -> Certificate:
    """The certificate with this serial, if this user may see it; otherwise ``NotFound``
    (another school's certificate is indistinguishable from a missing one). The page and
    the API both look certificates up here. A serial that could not be one (the API's
    ``lookup_value_regex``: letters, digits and hyphens, at most the field's 40) is not
    looked up: a NUL byte, for one, is an error on PostgreSQL."""
    if _SERIAL.fullmatch(serial) is None:
        raise NotFound(_("Not found, or not visible to you."))
    certificate = certificates_visible_to(user=user).filter(serial=serial).first()
    if certificate is None:
        raise NotFound(_("Not found, or not visible to you."))
    return certificate


_CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def could_be_verification_code(code: str) -> bool:
    """Whether ``code`` has the shape of a verification code (``secrets.token_urlsafe``'s
    alphabet, at most the field's 64 characters): anything else is no certificate's, and is
    never looked up (a NUL byte, for one, is an error on PostgreSQL)."""
    return _CODE.fullmatch(code) is not None


CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0"})


def code_normalised(code: str) -> str:
    """A code as a person types it from paper, made canonical: case, spaces and hyphens
    set aside, and I, L and O read as 1, 1 and 0 (Crockford's base 32)."""
    return "".join(code.split()).replace("-", "").upper().translate(CONFUSABLE)


def certificate_by_code(*, code: str) -> Certificate | None:
    """Public lookup for verification: the code is the secret. Takes the code exactly (as
    the QR code carries it, and as older certificates' longer codes are) or as typed."""
    candidates = {c for c in (code.strip(), code_normalised(code)) if could_be_verification_code(c)}
    if not candidates:
        return None
    return (
        Certificate.objects.filter(verification_code__in=candidates)
        .select_related("superseded_by")
        .first()
    )


def certificate_by_serial(*, serial: str, surname: str) -> Certificate | None:
    """Public lookup by the serial number printed on a certificate and the holder's surname
    (the last word of the name on it, in any case): both must match, so a serial alone,
    which is sequential, reveals nothing."""
    serial, surname = serial.strip().upper(), surname.strip().casefold()
    if not serial or not surname or len(serial) > 40 or not could_be_verification_code(serial):
        return None
    certificate = Certificate.objects.filter(serial=serial).select_related("superseded_by").first()
    if certificate is None or certificate.anonymised_at is not None:
        return None
    words = certificate.holder_name.casefold().split()
    return certificate if words and words[-1] == surname else None


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
