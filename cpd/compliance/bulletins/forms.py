from django import forms
from django.utils.translation import gettext_lazy

from cpd.forms import SchoolWordsMixin


class BulletinForm(SchoolWordsMixin, forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        error_messages={"required": gettext_lazy("Enter a title for the bulletin.")},
    )
    body = forms.CharField(
        label=gettext_lazy("Update"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("A few short paragraphs. You can use Markdown: **bold**, lists."),
        max_length=5000,
        error_messages={"required": gettext_lazy("Enter the update you want staff to read.")},
    )
