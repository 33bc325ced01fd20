"""Stored evidence packs do not outlive their purpose: a pack's file is deleted once its
link has expired (``evidence_packs_expired_delete``, run by ``cpd_delete_expired``), and
at once when someone in it is anonymised (``evidence_packs_holding_delete``, called by
``cpd.privacy.services.person_anonymise``). The pack's row stays, without its file, so the
school's list and audit trail still say it was made; each deletion is audited."""

import csv
import io
import logging
import zipfile
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from certificates.models import Export
from cpd.audit.services import audit_record

logger = logging.getLogger(__name__)


def _serials_in(export: Export) -> set[str] | None:
    """The certificate serials a pack's manifest lists; None if it cannot be read."""
    try:
        with export.file.open("rb") as stored, zipfile.ZipFile(stored) as archive:
            name = next(n for n in archive.namelist() if n.endswith("/manifest.csv"))
            with archive.open(name) as manifest:
                rows = csv.DictReader(io.TextIOWrapper(manifest, encoding="utf-8-sig"))
                return {row["serial"] for row in rows}
    except (OSError, zipfile.BadZipFile, StopIteration, KeyError, ValueError):
        logger.warning(
            "Evidence pack %s could not be read; treating it as holding anyone.", export.pk
        )
        return None


def export_file_delete(*, export: Export, reason: str, actor=None) -> None:
    """Delete a pack's file (the row stays, marked expired) and audit it."""
    name = export.file.name
    if name:
        export.file.storage.delete(name)
    now = timezone.now()
    expires_at = min(export.expires_at, now) if export.expires_at else now
    Export.objects.filter(pk=export.pk).update(file="", sha256="", expires_at=expires_at)
    export.file, export.sha256, export.expires_at = "", "", expires_at
    audit_record(
        actor=actor,
        action="certificates.export.deleted",
        target=export,
        school=export.school,
        data={"reason": reason, "file": name},
    )


@transaction.atomic
def evidence_packs_holding_delete(
    *, serials: Iterable[str], school_ids: Iterable[int], actor=None
) -> list[int]:
    """Delete the stored packs, in these schools, whose manifest lists any of these
    certificates (a pack that cannot be read is deleted too). Returns their ids."""
    serials = set(serials)
    if not serials:
        return []
    deleted = []
    packs = Export.objects.filter(school_id__in=set(school_ids)).exclude(file="")
    for export in packs.select_related("school").order_by("pk"):
        found = _serials_in(export)
        if found is None or found & serials:
            export_file_delete(export=export, reason="person_anonymised", actor=actor)
            deleted.append(export.pk)
    return deleted


def evidence_packs_expired_delete(*, now: datetime | None = None) -> int:
    """Delete the files of packs whose link has expired. Returns how many."""
    now = now or timezone.now()
    expired = (
        Export.objects.exclude(file="")
        .filter(expires_at__lte=now)
        .select_related("school")
        .order_by("pk")
    )
    count = 0
    for export in expired:
        with transaction.atomic():
            export_file_delete(export=export, reason="expired")
        count += 1
    return count
