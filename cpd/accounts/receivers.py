"""Receivers for sign-in events. Connected in CpdConfig.ready()."""

from allauth.mfa.models import Authenticator
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from cpd.accounts.middleware import SESSION_KEY
from cpd.accounts.policies import two_factor_required


@receiver(user_logged_in, dispatch_uid="cpd.accounts.two_factor_on_sign_in")
def two_factor_on_sign_in(sender, request, user, **kwargs) -> None:
    """Sent by django.contrib.auth.login (sender: the user's class; request, user). Notes in
    the session whether this person must still set up two-factor authentication."""
    if request is None or not hasattr(request, "session"):
        return
    needed = (
        two_factor_required(user=user, on=timezone.localdate())
        and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    )
    request.session[SESSION_KEY] = needed
