"""Privacy operations: everything held about one person (a subject access request), and
the retention rule that anonymises leavers once the school no longer needs their details.

Both are audit-logged. Anonymising keeps every row that the school's figures and
certificate verification rely on; it removes the person's name, email, files and free
text, so records remain but no longer identify anyone."""

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from certificates.models import Certificate
from cpd.audit.services import audit_record
from cpd.compliance.evidence.retention import evidence_packs_holding_delete
from cpd.models import (
    AuditEvent,
    ExternalRecord,
    Membership,
    School,
)
from cpd.privacy.selectors import as_iso, retention_candidates, subject_access_data

ANONYMISED_NAME = "Anonymised"


def subject_access_export(*, user, actor, school: School | None = None) -> bytes:
    """A ZIP: person.json plus the person's certificate PDFs and evidence files, exactly as
    stored. Audit-logged against the school (or the platform)."""
    data = subject_access_data(user=user, school=school)
    memberships = Membership.objects.filter(user=user)
    if school is not None:
        memberships = memberships.filter(school=school)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("person.json", json.dumps(data, indent=2, ensure_ascii=False))
        for certificate in Certificate.objects.filter(membership__in=memberships).exclude(pdf=""):
            with certificate.pdf.open("rb") as handle:
                archive.writestr(f"certificates/{certificate.serial}.pdf", handle.read())
        for record in ExternalRecord.objects.filter(membership__in=memberships).exclude(
            evidence=""
        ):
            with record.evidence.open("rb") as handle:
                name = record.evidence.name.rsplit("/", 1)[-1]
                archive.writestr(f"evidence/{record.pk}-{name}", handle.read())
    target = memberships.first() or user
    audit_record(
        actor=actor,
        action="cpd.person.exported",
        target=target,
        school=school,
        data={"certificates": len(data["certificates"]), "scope": data["scope"]},
    )
    return buffer.getvalue()


@dataclass
class RetentionRun:
    anonymised: list[int]
    cutoff: date


def retention_apply(*, on: date, months: int | None = None, dry_run: bool = False) -> RetentionRun:
    candidates, cutoff = retention_candidates(on=on, months=months)
    ids = list(candidates.values_list("pk", flat=True))
    if not dry_run:
        for user in candidates:
            person_anonymise(user=user)
    return RetentionRun(anonymised=ids, cutoff=cutoff)


@transaction.atomic
def person_anonymise(*, user) -> None:
    """Remove what identifies a person while keeping the rows the school's figures and
    certificate verification need. Files showing their name (certificate PDFs, evidence,
    and the stored evidence packs that include them, each audited) are deleted;
    certificates still verify, with the holder shown as anonymised."""
    memberships = list(Membership.objects.filter(user=user))
    now = timezone.now()
    # Stored evidence packs hold their certificate PDFs and a manifest row with their name.
    evidence_packs_holding_delete(
        serials=Certificate.objects.filter(membership__in=memberships).values_list(
            "serial", flat=True
        ),
        school_ids=[m.school_id for m in memberships],
    )
    for certificate in Certificate.objects.filter(membership__in=memberships):
        if certificate.pdf:
            certificate.pdf.delete(save=False)
        Certificate.objects.filter(pk=certificate.pk).update(
            holder_name=ANONYMISED_NAME, pdf="", anonymised_at=now
        )
    for record in ExternalRecord.objects.filter(membership__in=memberships):
        if record.evidence:
            record.evidence.delete(save=False)
        ExternalRecord.objects.filter(pk=record.pk).update(evidence="", decision_note="")
    Membership.objects.filter(pk__in=[m.pk for m in memberships]).update(
        job_title="", first_name=ANONYMISED_NAME, last_name="member of staff"
    )
    for membership in memberships:
        membership.first_name, membership.last_name = ANONYMISED_NAME, "member of staff"
    # The trail keeps every event; only the display text naming the person is replaced.
    AuditEvent.objects.filter(
        target_type="cpd.membership", target_id__in=[str(m.pk) for m in memberships]
    ).redact(target_repr=f"{ANONYMISED_NAME} member of staff")
    user.first_name, user.last_name = ANONYMISED_NAME, "member of staff"
    user.email = f"person-{user.pk}@anonymised.invalid"
    setattr(user, user.USERNAME_FIELD, user.email)
    user.set_unusable_password()
    user.is_active = False
    user.save()
    for membership in memberships:
        audit_record(
            actor=None,
            action="cpd.person.anonymised",
            target=membership,
            school=membership.school,
            data={"left_on": as_iso(membership.left_on)},
        )
