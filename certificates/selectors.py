import re

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
