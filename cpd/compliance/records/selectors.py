"""Training done elsewhere: a person records it with evidence, their DSL verifies or rejects
it, and a verified record can satisfy a requirement (the compliance selector reads it)."""

from django.utils.translation import gettext as _

from cpd.errors import NotFound
from cpd.models import ExternalRecord, School
from cpd.permissions import can_view_compliance


def external_records_of(*, user):
    return (
        ExternalRecord.objects.filter(membership__user=user)
        .select_related("membership__school", "satisfies_course")
        .order_by("-added_at")
    )


def external_records_for_school(*, school: School):
    return (
        ExternalRecord.objects.for_school(school)
        .select_related("membership__user", "satisfies_course", "verified_by")
        .order_by("status", "-added_at")
    )


def external_record_for_evidence(*, user, pk: int) -> ExternalRecord:
    """The record whose evidence this user may download: their own, or one in a school
    whose compliance they may see. Anyone else gets a 404."""
    record = ExternalRecord.objects.select_related("membership__school").filter(pk=pk).first()
    if record is None or not record.evidence:
        raise NotFound(_("No such evidence."))
    if record.membership.user_id == user.pk or can_view_compliance(user, record.membership.school):
        return record
    raise NotFound(_("No such evidence."))
