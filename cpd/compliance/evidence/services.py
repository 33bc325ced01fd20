"""Asking for an evidence pack. The pack itself is built by ``tasks.evidence_pack_build``
(which calls ``building.export_build``), so imports run one way: services → tasks →
building."""

from django.db import transaction

from certificates.models import Export
from cpd.audit.services import audit_record
from cpd.compliance.evidence import tasks
from cpd.compliance.evidence.selectors import ExportFilters
from cpd.models import School
from cpd.queue import enqueue_after_commit


@transaction.atomic
def export_request(*, school: School, actor, filters: ExportFilters) -> Export:
    """Ask for an evidence pack: the row is created now (queued) and the ZIP is built by a
    task after commit. Audited as "certificates.export.requested"."""
    export = Export.objects.create(school=school, requested_by=actor, filters=filters.as_json())
    audit_record(
        actor=actor,
        action="certificates.export.requested",
        target=export,
        school=school,
        data={"filters": export.filters},
    )
    enqueue_after_commit(tasks.evidence_pack_build, export.pk)
    return export
