from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import ResetPasswordKeyForm as AllauthResetPasswordKeyForm
from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form in the product's words: an email address (any case) and a
    password."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"] = forms.EmailField(
            label=_("Email address"),
            widget=forms.EmailInput(attrs={"autocomplete": "email"}),
            error_messages={
                "required": _("Enter your email address."),
                "invalid": _("Enter an email address like name@school.org.uk."),
            },
        )
        self.fields["password"].label = _("Password")
        self.fields["password"].help_text = ""  # the page links to password reset itself
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["password"].error_messages["required"] = _("Enter your password.")


class ResetPasswordForm(AllauthResetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.label = _("Email address")
        email.widget.attrs.pop("placeholder", None)
        email.error_messages["required"] = _("Enter your email address.")


class ResetPasswordKeyForm(AllauthResetPasswordKeyForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = _("New password")
        self.fields["password2"].label = _("New password again")
        for name in ["password1", "password2"]:
            self.fields[name].widget.attrs.pop("placeholder", None)
            self.fields[name].error_messages["required"] = _("Enter a new password.")
