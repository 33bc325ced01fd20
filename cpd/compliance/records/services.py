from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpd.audit.services import audit_record
from cpd.errors import NotAllowed
from cpd.models import ExternalRecord, Membership
from cpd.signals import compliance_changed_after_commit


@transaction.atomic
def external_record_add(*, membership: Membership, actor, **fields) -> ExternalRecord:
    """Record training done elsewhere, waiting for the DSL's decision. ``fields`` are those
    of the form: title, provider, completed_on, minutes, evidence, satisfies_course."""
    record = ExternalRecord(membership=membership, **fields)
    record.save()
    audit_record(
        actor=actor,
        action="cpd.external_record.added",
        target=record,
        school=membership.school,
        data={"title": record.title, "completed_on": str(record.completed_on)},
    )
    return record


@transaction.atomic
def external_record_decide(
    *, record: ExternalRecord, actor, verified: bool, course=None, note: str = ""
) -> ExternalRecord:
    """Verify (optionally choosing which course it counts as) or reject a record. Nobody
    decides on their own record (``NotAllowed``): another DSL, the school's admin or the
    trust's admin does, so a school with one DSL has its admin verify the DSL's own."""
    if actor is not None and getattr(actor, "pk", None) == record.membership.user_id:
        raise NotAllowed(
            _(
                "You cannot verify or reject your own training record. Ask another DSL or "
                "the school's admin, or the trust's admin."
            )
        )
    record.status = ExternalRecord.Status.VERIFIED if verified else ExternalRecord.Status.REJECTED
    if verified and course is not None:
        record.satisfies_course = course
    record.verified_by = actor
    record.verified_at = timezone.now()
    record.decision_note = note
    record.save(
        update_fields=["status", "satisfies_course", "verified_by", "verified_at", "decision_note"]
    )
    audit_record(
        actor=actor,
        action=f"cpd.external_record.{record.status}",
        target=record,
        school=record.membership.school,
        data={
            "counts_as": record.satisfies_course.slug if record.satisfies_course else None,
            "note": note,
        },
    )
    compliance_changed_after_commit(
        sender=ExternalRecord,
        reason="record_decided",
        user_ids=[record.membership.user_id],
        school_ids=[record.membership.school_id],
    )
    return record
