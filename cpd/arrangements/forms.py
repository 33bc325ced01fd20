from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from cpd.arrangements.selectors import FIELDS
from cpd.arrangements.services import policy_pdf_check
from cpd.models import Arrangements, Policy
from cpd.uploads import sniff


class ArrangementsForm(forms.ModelForm):
    class Meta:
        model = Arrangements
        fields = list(FIELDS)
        widgets = {
            name: forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"})
            for name in FIELDS
            if name.endswith("_phone") or name.endswith("_out_of_hours")
        }


class LeadForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("Telephone"), max_length=24, required=False)
    where_to_find = forms.CharField(
        label=gettext_lazy("Where to find them"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("For example: the office next to reception, or Room 12."),
    )
    photo = forms.FileField(
        label=gettext_lazy("Photo (optional)"),
        required=False,
        help_text=gettext_lazy("A PNG or JPEG, so staff who are new can recognise them."),
    )

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo is None:
            return None
        data = photo.read()
        photo.seek(0)
        kind = sniff(data)
        if kind not in {"png", "jpg"}:
            raise ValidationError(
                gettext_lazy("The photo must be a PNG or JPEG image."), code="wrong_type"
            )
        photo.name = f"photo.{kind}"
        return photo


class PolicyForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Which policy"), choices=Policy.Kind.choices)
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        help_text=gettext_lazy("In your school's own words."),
    )
    version = forms.CharField(
        label=gettext_lazy("Version"),
        max_length=30,
        help_text=gettext_lazy("For example: 2026 or 3.1."),
    )
    effective_on = forms.DateField(
        label=gettext_lazy("Effective from"),
        help_text=gettext_lazy("For example: 1/9/2026. Staff are asked to read it from then."),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
    )
    file = forms.FileField(label=gettext_lazy("The policy as a PDF"), required=False)
    text = forms.CharField(
        label=gettext_lazy("Or write it out"),
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        help_text=gettext_lazy("You can use Markdown: **bold**, lists, headings with ##."),
        max_length=100_000,
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        return policy_pdf_check(upload) if upload else None

    def clean(self):
        data = super().clean()
        if not self.errors and bool(data.get("file")) == bool((data.get("text") or "").strip()):
            raise ValidationError(
                gettext_lazy("Upload the policy as a PDF or write it out: one of the two.")
            )
        return data
