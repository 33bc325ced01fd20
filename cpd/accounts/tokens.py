"""API tokens (DRF authtoken): one per person, acting with that person's own access, which
is checked on every request. So a token stops reaching a school the moment its holder
leaves it or loses the admin role; revoking deletes it."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from cpd.audit.services import audit_record
from cpd.models import School
from cpd.permissions import managed_schools_q


def api_token_allowed(user) -> bool:
    """School admins and trust admins (and superusers) may hold a token for integrations."""
    return School.objects.filter(managed_schools_q(user)).exists()


@transaction.atomic
def api_token_create(*, user) -> Token:
    """A new token for the person, replacing any they had."""
    replaced = Token.objects.filter(user=user).delete()[0] > 0
    token = Token.objects.create(user=user)
    audit_record(
        actor=user,
        action="cpd.api_token.created",
        target=user,
        data={"replaced": replaced},
    )
    return token


@transaction.atomic
def api_token_revoke(*, user) -> bool:
    """Delete the person's token. Returns whether there was one."""
    deleted = Token.objects.filter(user=user).delete()[0] > 0
    if deleted:
        audit_record(actor=user, action="cpd.api_token.revoked", target=user)
    return deleted
