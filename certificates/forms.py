from django import forms
from django.utils.translation import gettext_lazy as _

from certificates.selectors import code_normalised, could_be_verification_code


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
    name_correction = forms.CharField(
        label=_("If you changed the name: why is the new name correct?"),
        help_text=_(
            "Needed unless the holder changed the name on their own account. Recorded in the "
            "audit trail; the verification page shows the certificate as re-issued with its "
            "name corrected."
        ),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "input"}),
    )


class VerifyLookupForm(forms.Form):
    """Find a certificate to check: by its verification code, or by its serial number and
    the holder's surname."""

    code = forms.CharField(
        label=_("Verification code"),
        help_text=_(
            "16 letters and numbers printed under the QR code, for example 7KQ4-M2XD-9PAB-3RTW"
        ),
        required=False,
        max_length=80,
        widget=forms.TextInput(
            attrs={
                "class": "input",
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "characters",
            }
        ),
    )
    serial = forms.CharField(
        label=_("Serial number"),
        help_text=_("Printed on the certificate, for example OAK-2026-000042"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={"class": "input", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    surname = forms.CharField(
        label=_("Holder's surname"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"class": "input", "autocomplete": "off"}),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if code and not could_be_verification_code(code_normalised(code)):
            raise forms.ValidationError(
                _(
                    "A verification code has only letters and numbers (and hyphens between "
                    "groups). Check the code against the certificate, or scan its QR code."
                )
            )
        return code

    def clean(self):
        data = super().clean()
        code, serial, surname = (data.get(k, "").strip() for k in ("code", "serial", "surname"))
        if code:
            return data
        if serial and not surname:
            self.add_error(
                "surname", _("Enter the surname of the person named on the certificate.")
            )
        elif surname and not serial:
            self.add_error("serial", _("Enter the serial number printed on the certificate."))
        elif not serial:
            self.add_error(
                "code",
                _(
                    "Enter the verification code printed under the QR code, or the "
                    "certificate's serial number and the holder's surname."
                ),
            )
        return data
