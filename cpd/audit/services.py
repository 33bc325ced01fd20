from django.db import models

from cpd.models import AuditEvent, School


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model,
    school: School | None = None,
    data: dict | None = None,
) -> AuditEvent:
    """Append one audit event. Called by the service that made the change, inside its
    transaction, so the event exists exactly when the change does."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        school=school,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        data=data or {},
    )
