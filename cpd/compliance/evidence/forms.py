from django import forms
from django.utils.translation import gettext_lazy as _

from cpd.compliance.evidence.selectors import ExportFilters
from cpd.models import Membership


class EvidencePackForm(forms.Form):
    """Filters for an evidence pack. Nothing chosen in a group means "all"."""

    courses = forms.MultipleChoiceField(
        label=_("Courses"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for every course."),
    )
    completed_from = forms.DateField(
        label=_("Completed on or after"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "input"}),
    )
    completed_to = forms.DateField(
        label=_("Completed on or before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "input"}),
    )
    staff_categories = forms.MultipleChoiceField(
        label=_("Staff categories"),
        required=False,
        choices=Membership.StaffCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for everyone."),
    )
    statuses = forms.MultipleChoiceField(
        label=_("Certificate status"),
        required=False,
        choices=[
            ("valid", _("Valid")),
            ("expired", _("Expired")),
            ("revoked", _("Revoked")),
            ("superseded", _("Replaced by a newer certificate")),
        ],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for every status."),
    )

    def __init__(self, *args, courses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["courses"].choices = [(c.slug, c.title) for c in courses]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("completed_from"), cleaned.get("completed_to")
        if start and end and start > end:
            self.add_error(
                "completed_to", _("The end of the date range must be on or after its start.")
            )
        return cleaned

    def filters(self) -> ExportFilters:
        data = self.cleaned_data
        return ExportFilters(
            courses=data["courses"],
            completed_from=data["completed_from"],
            completed_to=data["completed_to"],
            staff_categories=data["staff_categories"],
            statuses=data["statuses"],
        )
