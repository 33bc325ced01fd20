from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from cpd.accounts.forms import EmailAuthenticationForm
from cpd.accounts.throttle import (
    login_blocked,
    login_failed,
    password_reset_blocked,
    sign_in_paused,
)
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
