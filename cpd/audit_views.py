from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from cpd import selectors
from cpd.models import AuditEvent

EVENTS_PER_PAGE = 50


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("What happened"), required=False)
    person = forms.CharField(label=_("Who did it (name or email)"), required=False, max_length=100)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Anything"))] + [(a, a) for a in actions]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date must be on or after the start date."))
        return data


def audit_events_for_school(*, school, action="", person="", since: date | None = None,
                            until: date | None = None):  # fmt: skip
    events = AuditEvent.objects.filter(school=school).select_related("actor")
    if action:
        events = events.filter(action=action)
    if person:
        events = events.filter(
            Q(actor__email__icontains=person)
            | Q(actor__first_name__icontains=person)
            | Q(actor__last_name__icontains=person)
        )
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    return events.order_by("-at", "-pk")


@login_required
def audit_trail(request, slug: str):
    school = selectors.school_for_compliance(user=request.user, slug=slug)
    actions = sorted(
        AuditEvent.objects.filter(school=school).values_list("action", flat=True).distinct()
    )
    form = AuditFilterForm(request.GET or None, actions=actions)
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    events = audit_events_for_school(school=school, **filters)
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cpd/audit.html",
        {"school": school, "form": form, "page": page, "query": query.urlencode()},
    )
