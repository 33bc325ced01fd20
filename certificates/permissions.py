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


def can_manage_certificate(user, certificate: Certificate) -> bool:
    """Revoke or re-issue it: the holder's school's DSLs, deputies and school admins (while
    not leavers), and admins of its trust."""
    return can_view_compliance(user, certificate.membership.school)


def can_see_certificate(user, certificate: Certificate) -> bool:
    """The holder, and whoever may manage it (the same rule as
    ``selectors.certificates_visible_to``, for one certificate already in hand)."""
    if not user.is_authenticated:
        return False
    return certificate.membership.user_id == user.pk or can_manage_certificate(user, certificate)
