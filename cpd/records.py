"""Training done elsewhere: a person records it with evidence, their DSL verifies or rejects
it, and a verified record can satisfy a requirement (the compliance selector reads it)."""

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from cpd.models import ExternalRecord, Membership, School
from cpd.permissions import can_view_compliance
from cpd.services import audit_record
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
    """Verify (optionally choosing which course it counts as) or reject a record."""
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


def external_records_of(*, user):
    return (
        ExternalRecord.objects.filter(membership__user=user)
        .select_related("membership__school", "satisfies_course")
        .order_by("-added_at")
    )


def external_records_for_school(*, school: School):
    return (
        ExternalRecord.objects.filter(membership__school=school)
        .select_related("membership__user", "satisfies_course", "verified_by")
        .order_by("status", "-added_at")
    )


def external_record_for_evidence(*, user, pk: int) -> ExternalRecord:
    """The record whose evidence this user may download: their own, or one in a school
    whose compliance they may see. Anyone else gets a 404."""
    record = ExternalRecord.objects.select_related("membership__school").filter(pk=pk).first()
    if record is None or not record.evidence:
        raise Http404("No such evidence.")
    if record.membership.user_id == user.pk or can_view_compliance(user, record.membership.school):
        return record
    raise Http404("No such evidence.")
