from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import Question


class AttemptForm(forms.Form):
    """One field per served question, in the served order, with the served choice order.
    It carries no hint of which choices are correct: each choice's value is the one the
    attempt drew for it at random, never its id."""

    def __init__(self, *args, questions: list[Question], **kwargs):
        """``questions`` as ``courses.review.attempt_review`` gives them: in the served
        order, each with its ``served_choices``."""
        super().__init__(*args, **kwargs)
        self.questions = []
        for number, question in enumerate(questions, start=1):
            choices = [(c.value, c.text) for c in question.served_choices]
            multiple = question.kind == Question.Kind.MULTIPLE
            field_class = forms.TypedMultipleChoiceField if multiple else forms.TypedChoiceField
            widget = forms.CheckboxSelectMultiple if multiple else forms.RadioSelect
            name = f"q{question.pk}"
            self.fields[name] = field_class(
                label=question.prompt,
                choices=choices,
                widget=widget,
                help_text=_("Select all that apply.") if multiple else "",
                error_messages={
                    "required": _("Answer question %(number)d.") % {"number": number},
                },
            )
            self.fields[name].number = number
            self.questions.append((question, name))

    def answers(self) -> dict[int, list[str]]:
        result = {}
        for question, name in self.questions:
            value = self.cleaned_data[name]
            result[question.pk] = list(value) if isinstance(value, list) else [value]
        return result


class ScenarioForm(forms.Form):
    """The scenario's responses, each under the value the enrolment is offered it under
    (``courses.selectors.scenario_served``), never its id."""

    choice = forms.ChoiceField(
        label=_("What would you do?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you would do.")},
    )

    def __init__(self, *args, lesson, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].label = lesson.prompt
        self.fields["choice"].choices = [(c.value, c.text) for c in choices]


class AcknowledgementForm(forms.Form):
    """Tick to confirm the lesson's statement; or, where the lesson offers several
    documents, choose the one you read (``document``, from 1), which confirms its
    statement."""

    confirm = forms.BooleanField(
        error_messages={"required": _("Tick the box to confirm you have read the document.")},
    )

    def __init__(self, *args, lesson, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = lesson.statement
        if lesson.documents:
            del self.fields["confirm"]
            self.fields["document"] = forms.TypedChoiceField(
                label=_("Which have you read?"),
                widget=forms.RadioSelect,
                coerce=int,
                choices=[
                    (i, f"{d['who']}: {d['statement']}")
                    for i, d in enumerate(lesson.documents, start=1)
                ],
                error_messages={"required": _("Choose the document you have read.")},
            )

    @property
    def document(self) -> int | None:
        return self.cleaned_data.get("document")


class EnrolForm(forms.Form):
    """Which school the learner takes the course for: asked only of someone in several.
    ``school`` is the school's slug, as the API takes it, or None."""

    school = forms.ChoiceField(
        label=_("Which school are you taking this course for?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the school you are taking this course for.")},
    )

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [(m.school.slug, m.school.name) for m in memberships]
        if len(memberships) == 1:
            self.fields["school"].required = False
            self.fields["school"].widget = forms.HiddenInput()
            self.initial["school"] = memberships[0].school.slug

    def clean_school(self) -> str | None:
        return self.cleaned_data.get("school") or None
