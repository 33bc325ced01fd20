"""The evidence pack's background work: primitive ids in, re-fetch, call the service."""

import logging

from django.tasks import task

from certificates.models import Export
from cpd.compliance.evidence.building import export_build

logger = logging.getLogger(__name__)


@task
def evidence_pack_build(export_id: int) -> None:
    export = Export.objects.select_related("school", "requested_by").filter(pk=export_id).first()
    if export is None:
        logger.warning("Evidence pack %s no longer exists", export_id)
        return
    export_build(export=export)
