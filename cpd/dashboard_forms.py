from django import forms
from django.utils.translation import gettext_lazy as _

from cpd.models import Membership
from cpd.selectors import MatrixFilters, Status


class MatrixFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or email"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("Any role")), *Membership.Role.choices]
    )
    category = forms.ChoiceField(
        label=_("Staff category"),
        required=False,
        choices=[("", _("Any category")), *Membership.StaffCategory.choices],
    )
    course = forms.ChoiceField(label=_("Training"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("Surname, A to Z")),
            ("-name", _("Surname, Z to A")),
            ("urgency", _("Most urgent first")),
            ("due", _("Next date first")),
        ],
    )

    def __init__(self, *args, requirements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status"))] + [
            (status, Status.LABELS[status]) for status in Status.URGENCY
        ]
        self.fields["course"].choices = [("", _("All training"))] + [
            (r.course.slug, r.name) for r in requirements
        ]

    def filters(self) -> MatrixFilters:
        if not self.is_valid():
            return MatrixFilters()
        data = {k: v for k, v in self.cleaned_data.items() if v}
        return MatrixFilters(**data)
