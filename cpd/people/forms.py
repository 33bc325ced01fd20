from django import forms
from django.utils.translation import gettext_lazy as _

from cpd.conf import cpd_settings
from cpd.forms import DatePartsField


class StaffImportForm(forms.Form):
    file = forms.FileField(
        label=_("Staff file"),
        help_text=_(
            "CSV (comma or semicolon separated) or Excel (.xlsx). The first row names the "
            "columns: email, first name, last name, role, staff category, job title, start "
            "date and, if someone is leaving, leaving date."
        ),
        error_messages={"required": _("Choose the file to import.")},
    )
    full_sync = forms.BooleanField(
        label=_("This file lists all current staff: propose everyone missing from it as a leaver"),
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > cpd_settings.STAFF_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB. Split it into smaller files.")
                % {"size": cpd_settings.STAFF_IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload


class StaffImportConfirmForm(forms.Form):
    # The plan the person is shown: if the staff list changes before they confirm, the
    # import is refused and they see the new plan.
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    confirm_leavers = forms.BooleanField(
        label=_("I confirm that the people listed as leavers have left the school"),
        required=False,
    )

    def __init__(self, *args, leavers: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.leavers = leavers
        if not leavers:
            del self.fields["confirm_leavers"]

    def clean(self):
        cleaned = super().clean()
        if self.leavers and not cleaned.get("confirm_leavers"):
            self.add_error(
                "confirm_leavers",
                _("Confirm that the leavers have left, or upload the file without full sync."),
            )
        return cleaned


class MembershipLeaveForm(forms.Form):
    """The leaving date, typed as day, month and year: never filled in for the person."""

    left_on = DatePartsField(
        label=_("Leaving date"),
        help_text=_("Their last day at the school. For example, 31 8 2027."),
        error_messages={"required": _("Enter the leaving date.")},
    )
    # Sent by the second page, which says what will happen: the first only asks the date.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
