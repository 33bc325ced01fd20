from datetime import date

from django.db.models import Q

from cpd.models import AuditEvent


def audit_events_for_school(*, school, action="", person="", since: date | None = None,
                            until: date | None = None):  # fmt: skip
    events = AuditEvent.objects.for_school(school).select_related("actor")
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
