from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpd.forms import DatePartsField, SchoolWordsMixin
from cpd.models import ExternalRecord
from cpd.uploads import evidence_cleaned


class ExternalRecordForm(SchoolWordsMixin, forms.ModelForm):
    school = forms.TypedChoiceField(
        label=_("Which school is this for?"), coerce=int, widget=forms.RadioSelect
    )
    completed_on = DatePartsField(
        label=_("Date you completed it"),
        help_text=_("For example, 27 3 2026"),
        error_messages={"required": _("Enter the date you completed it.")},
    )

    class Meta:
        model = ExternalRecord
        fields = ["title", "provider", "completed_on", "minutes", "satisfies_course", "evidence"]
        labels = {
            "title": _("Name of the training"),
            "provider": _("Who provided it"),
            "completed_on": _("Date you completed it"),
            "minutes": _("How long it took, in minutes"),
            "satisfies_course": _("Does it cover one of these courses? (optional)"),
            "evidence": _("Certificate or other evidence (PDF, PNG or JPEG)"),
        }
        help_texts = {"satisfies_course": _("Your DSL decides whether it counts.")}
        error_messages = {
            "title": {"required": _("Enter the name of the training.")},
            "provider": {"required": _("Enter who provided the training.")},
            "minutes": {
                "required": _("Enter how long the training took, in minutes."),
                "invalid": _("Enter how long the training took as a number of minutes, like 90."),
            },
        }

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = {m.pk: m for m in memberships}
        self.fields["school"].choices = [(m.pk, m.school.name) for m in memberships]
        if len(memberships) == 1:
            self.fields["school"].widget = forms.HiddenInput()
            self.fields["school"].required = False
            self.initial["school"] = memberships[0].pk
        self.fields["evidence"].required = True
        self.fields["evidence"].error_messages["required"] = _(
            "Choose the certificate or other evidence to upload."
        )
        self.fields["minutes"].min_value = 1
        too_short = _("How long the training took must be 1 minute or more.")
        self.fields["minutes"].validators.append(MinValueValidator(1, too_short))
        self.fields["minutes"].error_messages["min_value"] = too_short

    def clean_completed_on(self):
        value = self.cleaned_data["completed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date you completed it must be today or earlier."))
        return value

    def clean_evidence(self):
        # What is kept: named by its real type, an image re-encoded (``cpd.uploads``).
        return evidence_cleaned(self.cleaned_data["evidence"])

    def clean_school(self):
        if len(self.memberships) == 1:
            return next(iter(self.memberships.values()))
        value = self.cleaned_data["school"]
        if value not in self.memberships:
            raise forms.ValidationError(_("Choose one of your schools."))
        return self.memberships[value]


class DecisionForm(SchoolWordsMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("verify", _("Verify")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to verify or reject the record.")},
    )
    course = forms.ModelChoiceField(
        label=_("Counts as"),
        queryset=None,
        required=False,
        empty_label=_("Does not count as a course"),
    )
    note = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        from courses.models import Course

        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.order_by("title")
