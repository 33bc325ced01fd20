from django.core.paginator import Paginator
from django.shortcuts import render

from cpd.audit.forms import AuditFilterForm
from cpd.audit.selectors import audit_events_for_school
from cpd.models import AuditEvent
from cpd.permissions import Permission
from cpd.tenancy import school_view

EVENTS_PER_PAGE = 50


@school_view(Permission.VIEW_COMPLIANCE)
def audit_trail(request, school):
    actions = sorted(
        AuditEvent.objects.for_school(school).values_list("action", flat=True).distinct()
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
