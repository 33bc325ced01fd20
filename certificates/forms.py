from django import forms
from django.utils.translation import gettext_lazy as _


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you revoking this certificate?"),
        help_text=_("This is recorded with your name and the time. The holder is not shown it."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "input"}),
        error_messages={"required": _("Enter why you are revoking this certificate.")},
    )
    # Sent by the second page, which says what revoking does.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ReissueForm(forms.Form):
    holder_name = forms.CharField(
        label=_("Name on the new certificate"),
        max_length=300,
        widget=forms.TextInput(attrs={"class": "input", "autocomplete": "off"}),
        error_messages={"required": _("Enter the name to show on the new certificate.")},
    )
    reason = forms.CharField(
        label=_("Why are you re-issuing this certificate?"),
        help_text=_("For example: the holder's name was misspelt."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "input"}),
        error_messages={"required": _("Enter why you are re-issuing this certificate.")},
    )
