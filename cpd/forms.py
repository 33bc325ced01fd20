"""What every form in the product shares: the GOV.UK three-field date input, and error
messages that name the field and say how to fix it, in the school's words (GOV.UK's
error message guidance), instead of Django's "This field is required."."""

from datetime import date

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DATE_PARTS = (
    ("day", gettext_lazy("Day")),
    ("month", gettext_lazy("Month")),
    ("year", gettext_lazy("Year")),
)


class DatePartsWidget(forms.MultiWidget):
    """Day, month and year in three short boxes, each with its label, inside the field's
    fieldset (the GOV.UK date input). Rendered with the project's templates, so that it
    works whatever form renderer the host project uses."""

    template_name = "cpd/widgets/date_parts.html"
    use_fieldset = True

    def __init__(self, attrs=None):
        widgets = {
            name: forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": f"input date-input__input date-input__input--{name}",
                    "autocomplete": "off",
                    "spellcheck": "false",
                }
            )
            for name, _label in DATE_PARTS
        }
        super().__init__(widgets, attrs)

    def value_from_datadict(self, data, files, name):
        """The three parts, or a whole date sent as one value (``2026-03-27``), as a script,
        an older form or a test may send it: read as if typed into the three boxes."""
        if name in data and not any(f"{name}_{part}" in data for part, _label in DATE_PARTS):
            whole = str(data.get(name) or "").strip()
            if not whole:
                return [None, None, None]
            try:
                return date.fromisoformat(whole)
            except ValueError:
                return [whole, whole, whole]  # not a date: "must be a real date"
        return super().value_from_datadict(data, files, name)

    def decompress(self, value):
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, (_name, label) in zip(
            context["widget"]["subwidgets"], DATE_PARTS, strict=True
        ):
            subwidget["label"] = label
        return context

    def id_for_label(self, id_):
        """The day box, for the error summary's link (Django gives a MultiWidget none)."""
        return f"{id_}_0" if id_ else id_

    def _render(self, template_name, context, renderer=None):
        return mark_safe(render_to_string(template_name, context))  # noqa: S308 - a template


class DatePartsField(forms.Field):
    """A date typed as day, month and year. Errors name the field and the part that is
    wrong: "Leaving date must include a month", "Leaving date must be a real date"."""

    widget = DatePartsWidget

    def to_python(self, value):
        if isinstance(value, date) or value in (None, ""):
            return value or None
        parts = [str(part if part is not None else "").strip() for part in value]
        if not any(parts):
            return None
        label = self.label or _("The date")
        missing = [
            str(text).lower()
            for (name, text), part in zip(DATE_PARTS, parts, strict=True)
            if not part
        ]
        if missing:
            raise forms.ValidationError(
                _("%(field)s must include a %(parts)s.")
                % {"field": label, "parts": _(" and a ").join(missing)},
                code="incomplete",
            )
        try:
            day, month, year = (int(part) for part in parts)
            if year < 1000:
                raise ValueError
            return date(year, month, day)
        except ValueError:
            raise forms.ValidationError(
                _("%(field)s must be a real date, for example 27 3 %(year)s.")
                % {"field": label, "year": date.today().year},
                code="invalid",
            ) from None


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


class SchoolWordsMixin:
    """Give each field of a form error messages that name it and say what to do, unless
    the form already set its own: "Enter the title", "Choose the decision", "Renew every
    (months) must be 1 or more". Mix it in before ``forms.Form``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default_required = forms.Field.default_error_messages["required"]
        for field in self.fields.values():
            label = str(field.label or "")
            messages = field.error_messages
            if str(messages.get("required")) == str(default_required):
                choose = isinstance(field, (forms.ChoiceField, forms.FileField)) or isinstance(
                    field.widget, (forms.CheckboxInput, forms.Select)
                )
                verb = _("Choose") if choose else _("Enter")
                messages["required"] = f"{verb} {_lower_first(label)}".strip() + "."
            if isinstance(field, forms.IntegerField):
                defaults = forms.IntegerField.default_error_messages
                if str(messages.get("invalid")) == str(defaults["invalid"]):
                    messages["invalid"] = _("%(field)s must be a whole number, like 12.") % {
                        "field": label
                    }
                # A validator's error takes the field's message for its code.
                messages.setdefault(
                    "min_value",
                    _("%(field)s must be %(limit)s or more.")
                    % {"field": label, "limit": "%(limit_value)s"},
                )
                messages.setdefault(
                    "max_value",
                    _("%(field)s must be %(limit)s or fewer.")
                    % {"field": label, "limit": "%(limit_value)s"},
                )
