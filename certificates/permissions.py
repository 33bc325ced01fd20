"""Who may see a certificate, and who may correct it, built on the role predicates of
``cpd.permissions``. Pages, the API and the services all ask these, so one rule gives one
answer: a certificate you may not see is a 404, one you may see but not correct a 403."""

from django.utils.translation import gettext_lazy as _

from certificates.models import Certificate
from cpd.permissions import can_view_compliance

#: Why a person who may see a certificate may not revoke or re-issue it.
MAY_NOT_REVOKE = _(
    "Only the school's DSLs, deputy DSLs and school admins, or its trust's admins, can "
    "revoke a certificate."
)
MAY_NOT_REISSUE = _(
    "Only the school's DSLs, deputy DSLs and school admins, or its trust's admins, can "
    "re-issue a certificate."
)

#: Why nobody may revoke or re-issue their own certificate (separation of duties).
NOT_YOUR_OWN_CERTIFICATE = _(
    "You cannot revoke or re-issue your own certificate. Ask another of the school's DSLs "
    "or its school admin, or its trust's admin."
)


def can_manage_certificate(user, certificate: Certificate) -> bool:
    """Revoke or re-issue it: the holder's school's DSLs, deputies and school admins (while
    not leavers), and admins of its trust; never the holder themselves (a school with a
    single DSL has its admin or trust admin correct the DSL's own certificate)."""
    if certificate.membership.user_id == user.pk:
        return False
    return manages_holders_school(user, certificate)


def manages_holders_school(user, certificate: Certificate) -> bool:
    """Whether ``user`` is one of the certificate's school's DSLs, deputies or school
    admins, or its trust's admins (who would manage it, were it not their own)."""
    return can_view_compliance(user, certificate.membership.school)


def can_see_certificate(user, certificate: Certificate) -> bool:
    """The holder, and whoever may manage it (the same rule as
    ``selectors.certificates_visible_to``, for one certificate already in hand)."""
    if not user.is_authenticated:
        return False
    return certificate.membership.user_id == user.pk or can_manage_certificate(user, certificate)
