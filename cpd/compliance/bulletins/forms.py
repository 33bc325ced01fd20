from django import forms
from django.utils.translation import gettext_lazy


class BulletinForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Update"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("A few short paragraphs. You can use Markdown: **bold**, lists."),
        max_length=5000,
    )
