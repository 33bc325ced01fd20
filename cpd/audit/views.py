from django.core.paginator import Paginator
from django.shortcuts import render

from cpd.audit.descriptions import describe, details
from cpd.audit.forms import AuditFilterForm
from cpd.audit.selectors import audit_events_for_school
from cpd.models import AuditEvent
from cpd.permissions import Permission
from cpd.tenancy import school_view

EVENTS_PER_PAGE = 50


@school_view(Permission.VIEW_COMPLIANCE)
def audit_trail(request, school):
    # order_by() first: the model's ordering would otherwise make DISTINCT count each time.
    actions = (
        AuditEvent.objects.for_school(school)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )
    choices = sorted(((a, describe(a)) for a in actions), key=lambda choice: choice[1])
    form = AuditFilterForm(request.GET or None, actions=choices)
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    events = audit_events_for_school(school=school, **filters)
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    for event in page:
        event.description = describe(event.action)
        event.details = details(event.action, event.data)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cpd/audit.html",
        {"school": school, "form": form, "page": page, "query": query.urlencode()},
    )
