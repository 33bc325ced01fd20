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


class ApiTokenForm(forms.Form):
    """A new API token: what it is for, and how long it lasts."""

    DAY_CHOICES = (30, 90, 180, 365)

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, so you can tell your tokens apart, e.g. HR system."),
        error_messages={
            "required": _("Enter a name for the token, such as the system that will use it."),
            "max_length": _("The token's name must be 100 characters or fewer."),
        },
    )
    days = forms.TypedChoiceField(
        label=_("Lasts for"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how long the token lasts."),
            "invalid_choice": _("Choose how long the token lasts."),
        },
    )

    def __init__(self, *args, most_days: int, default_days: int, **kwargs):
        super().__init__(*args, **kwargs)
        days = sorted({d for d in self.DAY_CHOICES if d <= most_days} | {default_days})
        self.fields["days"].choices = [(d, _("%(days)d days") % {"days": d}) for d in days]
        self.fields["days"].initial = default_days
