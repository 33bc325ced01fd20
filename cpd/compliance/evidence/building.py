"""Evidence packs: a ZIP of a school's certificate PDFs, a CSV manifest with each file's
SHA-256, and a summary PDF (compliance table and chart), built by a background task.

Memory stays flat however many certificates are included: rows come from the database in
chunks, each PDF is streamed from storage into the ZIP (on a temporary file) in blocks
while it is hashed, and the manifest is written to a temporary file as it goes.
"""

import csv
import hashlib
import io
import logging
import shutil
import tempfile
import zipfile
from datetime import date, timedelta

from django.core.files import File
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from certificates import pdf
from certificates.models import Certificate, Export, certificate_storage
from certificates.rendering import certificate_render
from cpd.arrangements.policies import confirmations_for_school
from cpd.audit.services import audit_record
from cpd.compliance.evidence.selectors import STANDINGS, ExportFilters, export_certificates
from cpd.conf import cpd_settings
from cpd.dates import school_today
from cpd.models import School
from cpd.urls_absolute import absolute_url

logger = logging.getLogger(__name__)


CHUNK = 1024 * 256


MANIFEST_COLUMNS = [
    "path",
    "serial",
    "holder_name",
    "surname",
    "forename",
    "staff_category",
    "course",
    "course_version",
    "reviewed_against",
    "completed_on",
    "expires_on",
    "status",
    "score",
    "cpd_minutes",
    "verification_url",
    "sha256",
    "matches_issued_sha256",
]


def _safe_cell(value) -> str:
    """Text for a CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + text
    return text


def _name_part(value: str) -> str:
    return slugify(value) or slugify(value, allow_unicode=True) or "unnamed"


def pack_path(*, school_slug: str, course_slug: str, surname: str, forename: str, serial: str):
    """``<school>/<course>/<surname>-<forename>-<serial>.pdf``, each part slugified."""
    person = f"{_name_part(surname)}-{_name_part(forename)}"
    return f"{slugify(school_slug)}/{slugify(course_slug)}/{person}-{slugify(serial)}.pdf"


def _copy_into(archive: zipfile.ZipFile, arcname: str, source) -> str:
    """Stream ``source`` into the archive in blocks, returning the SHA-256 of what went in."""
    digest = hashlib.sha256()
    with archive.open(zipfile.ZipInfo(arcname, date_time=_zip_time()), "w") as target:
        while block := source.read(CHUNK):
            digest.update(block)
            target.write(block)
    return digest.hexdigest()


def _zip_time():
    now = timezone.localtime()
    return (now.year, now.month, now.day, now.hour, now.minute, now.second)


def _set_progress(export: Export, done: int, total: int) -> None:
    export.progress = min(99, (100 * done) // total) if total else 99
    Export.objects.filter(pk=export.pk).update(progress=export.progress)


def export_build(*, export: Export) -> Export:
    """Build the ZIP for a queued export and store it, with its SHA-256, through the
    certificate storage. The download link expires ``CPD_EXPORT_TTL_HOURS`` later.
    Audited as "certificates.export.built" (or "certificates.export.failed")."""

    if export.status not in {Export.Status.QUEUED, Export.Status.RUNNING}:
        return export
    Export.objects.filter(pk=export.pk).update(status=Export.Status.RUNNING, progress=0)
    export.status = Export.Status.RUNNING
    school = export.school
    on = school_today(school)
    filters = ExportFilters.from_json(export.filters)
    certificates = (
        export_certificates(school=school, filters=filters, on=on)
        .select_related("membership__user", "course")
        .order_by("course__slug", "serial")  # the same on every database
    )
    total = certificates.count()
    step = max(1, total // 50)
    counts = dict.fromkeys(STANDINGS, 0)
    try:
        with (
            tempfile.TemporaryFile() as zipped,
            tempfile.TemporaryFile(mode="w+", newline="", encoding="utf-8") as manifest,
        ):
            writer = csv.writer(manifest)
            writer.writerow(MANIFEST_COLUMNS)
            with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_STORED) as archive:
                for done, certificate in enumerate(certificates.iterator(chunk_size=500), 1):
                    if not certificate.pdf:
                        certificate = certificate_render(certificate=certificate)
                    path = pack_path(
                        school_slug=school.slug,
                        course_slug=certificate.course.slug,
                        surname=certificate.membership.last_name or certificate.holder_name,
                        forename=certificate.membership.first_name,
                        serial=certificate.serial,
                    )
                    with certificate.pdf.storage.open(certificate.pdf.name, "rb") as source:
                        digest = _copy_into(archive, path, source)
                    standing = certificate.standing_on(on)
                    counts[standing] += 1
                    writer.writerow(
                        [
                            _safe_cell(v)
                            for v in [
                                path,
                                certificate.serial,
                                certificate.holder_name,
                                certificate.membership.last_name,
                                certificate.membership.first_name,
                                certificate.membership.staff_category,
                                certificate.course_title,
                                certificate.course_version_number,
                                certificate.reviewed_against,
                                certificate.completed_on.isoformat(),
                                certificate.expires_on.isoformat()
                                if certificate.expires_on
                                else "",
                                standing,
                                certificate.score,
                                certificate.cpd_minutes,
                                absolute_url(
                                    "certificates:verify",
                                    kwargs={"code": certificate.verification_code},
                                ),
                                digest,
                                "yes" if digest == certificate.pdf_sha256 else "NO",
                            ]
                        ]
                    )
                    if done % step == 0:
                        _set_progress(export, done, total)
                manifest.seek(0)
                with archive.open(
                    zipfile.ZipInfo(f"{school.slug}/manifest.csv", date_time=_zip_time()), "w"
                ) as target:
                    shutil.copyfileobj(io.BytesIO(b"\xef\xbb\xbf"), target)  # Excel: UTF-8
                    for line in manifest:
                        target.write(line.encode("utf-8"))
                with archive.open(
                    zipfile.ZipInfo(
                        f"{school.slug}/policy-confirmations.csv", date_time=_zip_time()
                    ),
                    "w",
                ) as target:
                    target.write(policy_confirmations_csv(school=school))
                summary = export_summary_pdf(
                    school=school, filters=filters, counts=counts, total=total, on=on
                )
                with archive.open(
                    zipfile.ZipInfo(f"{school.slug}/summary.pdf", date_time=_zip_time()), "w"
                ) as target:
                    target.write(summary)
            zipped.seek(0)
            digest = hashlib.sha256()
            while block := zipped.read(CHUNK):
                digest.update(block)
            zipped.seek(0)
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            name = certificate_storage().save(
                Export.file.field.generate_filename(
                    export, f"evidence-{school.slug}-{stamp}-{export.pk}.zip"
                ),
                File(zipped),
            )
    except Exception as exc:
        logger.exception("Evidence pack %s failed", export.pk)
        Export.objects.filter(pk=export.pk).update(status=Export.Status.FAILED, error=str(exc))
        audit_record(
            actor=export.requested_by,
            action="certificates.export.failed",
            target=export,
            school=school,
            data={"error": str(exc)[:500]},
        )
        export.refresh_from_db()
        return export
    # Only a build still running finishes the export: when two runs of the task overlap
    # (a worker thought dead that was only slow), the first to finish wins and the other's
    # file is removed, so the export has one pack.
    finished = Export.objects.filter(pk=export.pk, status=Export.Status.RUNNING).update(
        status=Export.Status.READY,
        progress=100,
        file=name,
        sha256=digest.hexdigest(),
        certificate_count=total,
        expires_at=timezone.now() + timedelta(hours=cpd_settings.EXPORT_TTL_HOURS),
    )
    export.refresh_from_db()
    if not finished:
        certificate_storage().delete(name)
        return export
    audit_record(
        actor=export.requested_by,
        action="certificates.export.built",
        target=export,
        school=school,
        data={"certificates": total, "sha256": export.sha256, "file": export.file.name},
    )
    return export


POLICY_COLUMNS = (
    "surname", "forename", "email", "policy", "version", "effective_on", "confirmed_at",
    "sha256",
)  # fmt: skip


def policy_confirmations_csv(*, school: School) -> bytes:
    """Every confirmation by the school's staff that they read a version of a policy,
    with the version and the SHA-256 of what they were shown, as UTF-8 CSV."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(POLICY_COLUMNS)
    for c in confirmations_for_school(school=school):
        user = c.membership.user
        writer.writerow(
            [
                user.last_name,
                user.first_name,
                user.email,
                c.version.policy.title,
                c.version.version,
                c.version.effective_on.isoformat(),
                timezone.localtime(c.at).isoformat(timespec="seconds"),
                c.sha256,
            ]
        )
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def _bar_chart(bars: list[tuple[str, str, int]]) -> dict:
    """Geometry for a simple horizontal bar chart of (status, label, count), drawn as SVG
    by the template, which colours each bar by its status (``.status-<value>``)."""
    width, bar, gap, label_width = 420, 18, 8, 150
    top = max([count for _, _, count in bars] + [1])
    rows = []
    for index, (status, label, count) in enumerate(bars):
        rows.append(
            {
                "status": status,
                "label": label,
                "count": count,
                "y": index * (bar + gap),
                "width": round((width - label_width - 40) * count / top, 1),
            }
        )
    return {
        "rows": rows,
        "width": width,
        "height": len(bars) * (bar + gap),
        "bar": bar,
        "label_width": label_width,
        "text_offset": bar - 5,
    }


def export_summary_pdf(
    *, school: School, filters: ExportFilters, counts: dict[str, int], total: int, on: date
) -> bytes:
    """The pack's summary: what was included, the school's compliance table on the day,
    and a bar chart of the same numbers. Rendered with the same restricted fetcher."""
    from cpd.compliance.dashboards import people_summary
    from cpd.compliance.engine import URGENCY
    from cpd.compliance.selectors import compliance_matrix

    matrix = compliance_matrix(school=school, on=on)
    headcount = people_summary(matrix=matrix)
    statuses = URGENCY
    table = []
    for requirement in matrix.requirements:
        row_counts = dict.fromkeys(statuses, 0)
        for row in matrix.rows:
            if row.requirement.pk == requirement.pk:
                row_counts[row.status] += 1
        table.append((requirement.name, [row_counts[s] for s in statuses]))
    overall = matrix.counts
    serials = dict(
        Certificate.objects.filter(
            pk__in={row.certificate_id for row in matrix.rows if row.certificate_id}
        ).values_list("pk", "serial")
    )
    people = []
    for membership in matrix.memberships:
        own = matrix.by_membership.get(membership.pk, {})
        if not own:
            continue
        cells = []
        for requirement in matrix.requirements:
            row = own.get(requirement.pk)
            cells.append(
                None
                if row is None
                else {
                    "status": row.status,
                    "label": row.label,
                    "due_on": row.due_on,
                    "expires_on": row.expires_on,
                    "serial": serials.get(row.certificate_id, ""),
                }
            )
        people.append(
            {
                # As the school knows them (the membership's names), not the account's.
                "name": f"{membership.last_name}, {membership.first_name}".strip(", ")
                or membership.display_name,
                "role": membership.get_role_display(),
                "category": membership.get_staff_category_display(),
                "cells": cells,
            }
        )
    labels = {
        "valid": _("Valid"),
        "expired": _("Expired"),
        "revoked": _("Revoked"),
        "superseded": _("Replaced"),
    }
    html = render_to_string(
        "cpd/evidence/evidence_summary.html",
        {
            "school": school,
            "on": on,
            "generated_at": timezone.localtime(),
            "filters": filters,
            "total": total,
            "certificate_counts": [(labels[s], counts[s]) for s in STANDINGS],
            "status_labels": [s.label for s in statuses],
            "table": table,
            "requirements": matrix.requirements,
            "people": people,
            # The dashboard's own count of people, so the pack and the page agree.
            "staff": headcount.staff,
            "fully_up_to_date": headcount.fully_up_to_date,
            "chart": _bar_chart([(s.value, s.label, overall[s]) for s in statuses]),
            "percent_up_to_date": matrix.percent_up_to_date,
            "site_name": cpd_settings.SITE_NAME,
        },
    )
    return pdf.render_pdf(html, fetcher=pdf.CertificateURLFetcher())
