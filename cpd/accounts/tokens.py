"""API tokens: named keys, several per person, each acting with its holder's own access.

Only a SHA-256 digest of a key is stored (a key is 256 random bits, so a digest without salt
or stretching is as hard to reverse as the key is to guess); the key is shown once, when it
is made. A token works until it expires or is revoked, and only while its holder may hold
one: every request that presents it checks, in the same query that finds it, that the
holder still administers a school (``cpd.permissions.staff_managers_q``). So a token dies
the moment its holder leaves the school or is demoted, with no signal to miss. The holder
can always list and revoke their own, whatever their role now."""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from cpd.audit.services import audit_record
from cpd.conf import cpd_settings
from cpd.errors import NotAllowed, NotFound, Refused
from cpd.models import ApiToken
from cpd.permissions import staff_managers_q

KEY_PREFIX = "cpd_"  # lets secret scanners and people recognise a key
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length
LAST_USED_EVERY = timedelta(hours=1)  # how stale "last used" may get, to spare a write a call


def api_key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_allowed(user) -> bool:
    """School admins and trust admins (and superusers) may make tokens for integrations."""
    if not user.is_authenticated:
        return False
    return get_user_model().objects.filter(staff_managers_q(), pk=user.pk).exists()


def api_token_list(*, user) -> list[ApiToken]:
    """The person's tokens, newest first, expired ones included until revoked."""
    return list(ApiToken.objects.filter(user=user))


@transaction.atomic
def api_token_create(*, user, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for the person; returns it and its key, which is stored nowhere."""
    if not api_token_allowed(user):
        raise NotAllowed(_("Only school and trust admins can use API tokens."))
    name = " ".join((name or "").split())
    if not name:
        raise Refused(_("Enter a name for the token, such as the system that will use it."))
    if len(name) > NAME_MAX_LENGTH:
        raise Refused(
            _("The token's name must be %(max)d characters or fewer.") % {"max": NAME_MAX_LENGTH}
        )
    most = cpd_settings.API_TOKEN_MAX_DAYS
    days = cpd_settings.API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= most:
        raise Refused(
            _("A token can last from 1 to %(most)d days, not %(days)s.")
            % {"most": most, "days": days}
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user,
                name=name,
                key_digest=api_key_digest(key),
                created_at=now,
                expires_at=now + timedelta(days=days),
            )
    except IntegrityError:
        raise Refused(
            _("You already have a token called “%(name)s”. Choose another name.") % {"name": name}
        ) from None
    audit_record(
        actor=user,
        action="cpd.api_token.created",
        target=user,
        data={"name": name, "expires_on": token.expires_at.date().isoformat()},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, user, token_id: int) -> ApiToken:
    """Delete one of the person's own tokens (anyone's may revoke theirs, whatever their
    role now). Another person's token, or none, is not found."""
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound(_("You have no such token."))
    token.delete()
    audit_record(actor=user, action="cpd.api_token.revoked", target=user, data={"name": token.name})
    return token


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``: one query finds the token by the key's digest, with
    whether its holder may still hold one. 401 for an unknown, expired or orphaned key."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        token = (
            ApiToken.objects.select_related("user")
            .annotate(
                holder_allowed=ExpressionWrapper(
                    staff_managers_q(user="user"), output_field=BooleanField()
                )
            )
            .filter(key_digest=api_key_digest(key))
            .first()
        )
        if token is None or not token.user.is_active:
            raise AuthenticationFailed(_("Invalid token."))
        now = timezone.now()
        if token.expires_at <= now:
            raise AuthenticationFailed(_("This token has expired."))
        if not token.holder_allowed:
            raise AuthenticationFailed(
                _("This token no longer works: its holder is no longer a school or trust admin.")
            )
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
