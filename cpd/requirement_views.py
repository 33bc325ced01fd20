from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cpd import school_requirements, selectors
from cpd.models import Membership
from cpd.permissions import can_manage_school


class OverrideForm(forms.Form):
    renewal_months = forms.IntegerField(
        label=gettext_lazy("Renew every (months)"), min_value=1, max_value=120, required=False,
        help_text=gettext_lazy("Leave empty if it never needs renewing."),
    )  # fmt: skip
    induction_days = forms.IntegerField(
        label=gettext_lazy("New staff must finish it within (days of starting)"),
        min_value=0, max_value=730, required=False,
        help_text=gettext_lazy("Leave empty for no deadline from the start date."),
    )  # fmt: skip
    due_soon_days = forms.IntegerField(
        label=gettext_lazy("Show as due soon this many days before"), min_value=0, max_value=365
    )
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


def _managed_school(request, slug):
    school = selectors.school_for_compliance(user=request.user, slug=slug)
    return school, can_manage_school(request.user, school)


@login_required
def rules(request, slug: str):
    school, can_manage = _managed_school(request, slug)
    return render(
        request,
        "cpd/requirements/list.html",
        {
            "school": school,
            "lines": school_requirements.school_rules(school=school),
            "can_manage": can_manage,
        },
    )


@login_required
def rule_edit(request, slug: str, course_id: int):
    school, can_manage = _managed_school(request, slug)
    if not can_manage:
        messages.error(request, _("Only the school's admin can change its training rules."))
        return redirect("cpd:requirements", slug=slug)
    line = school_requirements.rule_for_course(school=school, course_id=course_id)
    current = line.requirement
    initial = {name: getattr(current, name) for name in school_requirements.OVERRIDABLE}
    form = OverrideForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        school_requirements.requirement_override(
            school=school, base=current, actor=request.user, **form.cleaned_data
        )
        messages.success(request, _("Saved: %(name)s now follows this school's rule.") % {
            "name": current.name
        })  # fmt: skip
        return redirect("cpd:requirements", slug=slug)
    return render(
        request,
        "cpd/requirements/edit.html",
        {"school": school, "line": line, "form": form},
    )


@login_required
@require_POST
def rule_reset(request, slug: str, course_id: int):
    school, can_manage = _managed_school(request, slug)
    if not can_manage:
        messages.error(request, _("Only the school's admin can change its training rules."))
        return redirect("cpd:requirements", slug=slug)
    school_requirements.requirement_override_remove(
        school=school, course_id=course_id, actor=request.user
    )
    messages.success(request, _("The default rule applies again."))
    return redirect("cpd:requirements", slug=slug)
