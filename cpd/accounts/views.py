from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from cpd.accounts.forms import EmailAuthenticationForm
from cpd.accounts.throttle import (
    login_blocked,
    login_failed,
    password_reset_blocked,
    sign_in_paused,
)
from cpd.accounts.tokens import api_token_allowed, api_token_create, api_token_revoke
from cpd.conf import cpd_settings


def _paused(view, message: str):
    """Refuse a sign-in form while its attempts cannot be counted: 503, try again soon."""
    form = view.get_form()
    form.errors.clear()
    form.add_error(None, message + " " + _("Try again in a minute."))
    response = view.render_to_response(view.get_context_data(form=form), status=503)
    response["Retry-After"] = "60"
    return response


class LoginView(auth_views.LoginView):
    """Django's sign-in, refusing for a while after too many failures (cpd/py)."""

    template_name = "cpd/accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if sign_in_paused():
            return _paused(self, _("Signing in is paused for a minute while the site recovers."))
        if login_blocked(request):
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None,
                _("Too many failed attempts to sign in. Wait 15 minutes, or reset your password."),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        login_failed(self.request)
        return super().form_invalid(form)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "cpd/accounts/password_reset_form.html"
    email_template_name = "cpd/accounts/password_reset_email.txt"
    subject_template_name = "cpd/accounts/password_reset_subject.txt"
    success_url = reverse_lazy("cpd_accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        if sign_in_paused():
            return _paused(
                self, _("Password resets are paused for a minute while the site recovers.")
            )
        if password_reset_blocked(request):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _("Too many reset requests. Wait an hour and try again."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    @property
    def extra_email_context(self) -> dict:
        # The product's name rather than the host name that Django would use.
        return {"site_name": cpd_settings.SITE_NAME}


@login_required
def api_token(request):
    """A school or trust admin's own API token, for an integration that acts with their
    access. The key is shown once, when it is made; making a new one replaces the old."""
    if not api_token_allowed(request.user):
        raise PermissionDenied(_("Only school and trust admins can use API tokens."))
    created = None
    if request.method == "POST":
        action = request.POST.get("action")
        replacing = Token.objects.filter(user=request.user).first()
        if action in {"create", "revoke"} and replacing and not request.POST.get("confirmed"):
            # Replacing or revoking stops the integration using the token: say so first.
            return render(
                request, "cpd/staff/api_token_confirm.html", {"token": replacing, "action": action}
            )
        if action == "create":
            created = api_token_create(user=request.user)
        elif request.POST.get("action") == "revoke":
            if api_token_revoke(user=request.user):
                messages.success(request, _("Your API token is revoked."))
            return redirect("cpd:api_token")
    token = created or Token.objects.filter(user=request.user).first()
    return render(request, "cpd/staff/api_token.html", {"token": token, "created": created})
