from django import forms
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from cpd.compliance.dashboards import MatrixFilters
from cpd.compliance.engine import URGENCY
from cpd.forms import SchoolWordsMixin
from cpd.models import Membership


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
    worst = forms.ChoiceField(
        label=_("Most urgent status"), required=False, widget=forms.HiddenInput
    )
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
            (status.value, status.label) for status in URGENCY
        ]
        self.fields["worst"].choices = [("", "")] + [(s.value, s.label) for s in URGENCY]
        self.fields["course"].choices = [("", _("All training"))] + [
            (r.topic, r.name) for r in requirements
        ]

    def filters(self) -> MatrixFilters:
        if not self.is_valid():
            return MatrixFilters()
        data = {k: v for k, v in self.cleaned_data.items() if v}
        return MatrixFilters(**data)


class OverrideForm(SchoolWordsMixin, forms.Form):
    renewal_months = forms.IntegerField(
        label=gettext_lazy("Renew every (months)"), min_value=1, max_value=120, required=False,
        help_text=gettext_lazy("Leave empty if it never needs renewing."),
        error_messages={
            "min_value": gettext_lazy(
                "Enter how often it must be renewed as 1 month or more, or leave it empty."
            ),
            "max_value": gettext_lazy("It must be renewed at least every 120 months."),
        },
    )  # fmt: skip
    renewal_month = forms.TypedChoiceField(
        label=gettext_lazy("Or renew each year in"),
        choices=[("", gettext_lazy("No month"))] + [(str(n), name) for n, name in MONTHS.items()],
        coerce=int, empty_value=None, required=False,
        help_text=gettext_lazy("September: everyone renews in September each year."),
    )  # fmt: skip
    induction_days = forms.IntegerField(
        label=gettext_lazy("New staff must finish it within (days of starting)"),
        min_value=0, max_value=730, required=False,
        help_text=gettext_lazy("Leave empty for no deadline from the start date."),
    )  # fmt: skip
    due_soon_days = forms.IntegerField(
        label=gettext_lazy("Show as due soon this many days before"), min_value=0, max_value=365,
        error_messages={
            "required": gettext_lazy(
                "Enter how many days before it runs out to show it as due soon, like 30."
            ),
        },
    )  # fmt: skip
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles it applies to (none ticked: every role)"),
        choices=Membership.Role.choices, required=False, widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    staff_categories = forms.MultipleChoiceField(
        label=gettext_lazy("Staff it applies to (none ticked: everyone)"),
        choices=Membership.StaffCategory.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    bulletins_needed = forms.IntegerField(
        label=gettext_lazy("Bulletins that count as the update"), min_value=1, max_value=52,
        required=False,
        help_text=gettext_lazy("Leave empty if bulletins should not count."),
    )  # fmt: skip
    is_active = forms.BooleanField(label=gettext_lazy("Required at this school"), required=False)
