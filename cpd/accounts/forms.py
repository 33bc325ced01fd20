from allauth.account.forms import LoginForm as AllauthLoginForm
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
