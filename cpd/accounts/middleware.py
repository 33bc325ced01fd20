"""Two-factor authentication, required where a school or trust says so (SignInPolicy):
a DSL, deputy or admin who has not set it up reaches only the pages that set it up (and
sign-out) until they have.

Whether a person must is worked out when they sign in (cpd.accounts.receivers) and kept
in their session, so pages spend no query on it; a school that turns the requirement on
reaches people at their next sign-in. Signing in through single sign-on counts as the
provider's own two-factor check."""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

SESSION_KEY = "cpd_two_factor_needed"

# Where someone who must set up two-factor authentication may still go.
ALLOWED_URL_NAMES = {
    "mfa_activate_totp",
    "mfa_index",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_reauthenticate",
    "account_reauthenticate",
    "account_logout",
}


def signed_in_with_single_sign_on(request) -> bool:
    records = get_authentication_records(request, request.user)
    return any(r.get("method") == "socialaccount" for r in records)


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The session first: most requests stop there without reading who is signed in.
        if not request.session.get(SESSION_KEY) or not request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in ALLOWED_URL_NAMES:
            return None
        if signed_in_with_single_sign_on(request):
            return None
        if Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists():
            request.session.pop(SESSION_KEY)  # set up since signing in
            return None
        if match is not None and "api" in match.namespaces:
            return JsonResponse(
                {"detail": _("Set up two-factor authentication before using the API.")},
                status=403,
            )
        return redirect("mfa_activate_totp")
