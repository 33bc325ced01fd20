"""Changing a school's arrangements and policies. Every change is audit-logged."""

import hashlib
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from cpd.arrangements.selectors import FIELDS
from cpd.audit.services import audit_record
from cpd.conf import cpd_settings
from cpd.errors import Refused
from cpd.models import (
    Arrangements,
    Membership,
    Policy,
    PolicyConfirmation,
    PolicyVersion,
    SafeguardingLead,
    School,
    Trust,
)
from cpd.signals import compliance_changed_after_commit


@transaction.atomic
def arrangements_update(
    *, actor, school: School | None = None, trust: Trust | None = None, **fields
) -> Arrangements:
    """Set a school's (or a trust's default) arrangements. Only the fields given change;
    each is validated (telephone numbers, links) before anything is saved."""
    if (school is None) == (trust is None):
        raise ValueError("Give a school or a trust.")
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"Unknown arrangements: {', '.join(sorted(unknown))}")
    row = Arrangements.objects.filter(school=school, trust=trust).first()
    created = row is None
    if created:
        row = Arrangements(school=school, trust=trust)
    before = {name: getattr(row, name) for name in fields}
    for name, value in fields.items():
        setattr(row, name, (value or "").strip())
    row.full_clean()
    row.save()
    changed = {n: [before[n], getattr(row, n)] for n in fields if before[n] != getattr(row, n)}
    if created or changed:
        audit_record(
            actor=actor,
            action="cpd.arrangements.changed",
            target=row,
            school=school,
            data={"trust": trust.slug if trust else None, "changed": changed},
        )
    return row


@transaction.atomic
def lead_update(
    *, membership: Membership, actor, phone: str = "", where_to_find: str = "", photo=None
) -> SafeguardingLead:
    """How staff reach a DSL or deputy: telephone, where to find them, an optional photo
    (already checked to be an image)."""
    if membership.role not in (Membership.Role.DSL, Membership.Role.DEPUTY_DSL):
        raise Refused(_("Only a DSL or deputy DSL has contact details here."))
    lead, _created = SafeguardingLead.objects.get_or_create(membership=membership)
    before = {"phone": lead.phone, "where_to_find": lead.where_to_find}
    lead.phone, lead.where_to_find = phone.strip(), where_to_find.strip()
    if photo is not None:
        lead.photo = photo
    lead.full_clean()
    lead.save()
    audit_record(
        actor=actor,
        action="cpd.arrangements.lead_changed",
        target=lead,
        school=membership.school,
        data={
            "before": before,
            "after": {"phone": lead.phone, "where_to_find": lead.where_to_find},
            "photo": photo is not None,
        },
    )
    return lead


def policy_pdf_check(upload) -> bytes:
    """The uploaded file's bytes, if it is a PDF by its content (not its name) and small
    enough; otherwise a ValidationError saying what is wrong."""
    limit = cpd_settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; a policy's PDF must be %(limit)s or smaller.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_big",
        )
    data = upload.read()
    upload.seek(0)
    if not data.startswith(b"%PDF-"):
        raise ValidationError(
            _("The file must be a PDF. This file's contents are not a PDF, whatever its name."),
            code="wrong_type",
        )
    return data


@transaction.atomic
def policy_publish(
    *,
    actor,
    kind: str,
    title: str,
    version: str,
    effective_on: date,
    school: School | None = None,
    trust: Trust | None = None,
    pdf: bytes | None = None,
    text: str = "",
) -> PolicyVersion:
    """Publish a version of a school's (or, for all its schools, a trust's) policy, as a
    PDF or as written text. Everyone it applies to is asked to confirm it once it takes
    effect, including those who confirmed an earlier version."""
    if (school is None) == (trust is None):
        raise ValueError("Give a school or a trust.")
    if kind not in Policy.Kind.values:
        raise Refused(_("Choose which policy this is."))
    text = (text or "").strip()
    if bool(pdf) == bool(text):
        raise Refused(_("Upload the policy as a PDF or write it out, not both."))
    if pdf is not None and not pdf.startswith(b"%PDF-"):
        raise Refused(_("The file must be a PDF."))
    version = version.strip()
    if not version:
        raise Refused(_("Give the version, such as 2026 or 3.1."))
    policy = Policy.objects.filter(school=school, trust=trust, kind=kind).first()
    if policy is None:
        policy = Policy.objects.create(school=school, trust=trust, kind=kind, title=title.strip())
    elif title.strip() and policy.title != title.strip():
        policy.title = title.strip()
        policy.save(update_fields=["title"])
    if policy.versions.filter(version=version).exists():
        raise Refused(
            _("Version %(version)s of this policy is already published: give the new one "
              "another version.") % {"version": version}
        )  # fmt: skip
    content = pdf if pdf is not None else text.encode("utf-8")
    row = PolicyVersion(
        policy=policy,
        version=version,
        effective_on=effective_on,
        text=text,
        sha256=hashlib.sha256(content).hexdigest(),
        published_by=actor if getattr(actor, "pk", None) else None,
    )
    if pdf is not None:
        row.file.save("policy.pdf", ContentFile(pdf), save=False)
    row.save()
    audit_record(
        actor=actor,
        action="cpd.policy.published",
        target=row,
        school=school,
        data={
            "trust": trust.slug if trust else None,
            "kind": kind,
            "version": version,
            "effective_on": effective_on.isoformat(),
            "sha256": row.sha256,
        },
    )
    compliance_changed_after_commit(
        sender=PolicyVersion,
        reason="policy_published",
        school_ids=[school.pk] if school else list(trust.schools.values_list("pk", flat=True)),
    )
    return row


def policy_confirm(*, version: PolicyVersion, membership: Membership) -> PolicyConfirmation:
    """Record that the person has read this version (with the hash of what they were
    shown); a second confirmation changes nothing."""
    try:
        with transaction.atomic():
            confirmation = PolicyConfirmation.objects.create(
                version=version, membership=membership, sha256=version.sha256
            )
            audit_record(
                actor=membership.user,
                action="cpd.policy.confirmed",
                target=confirmation,
                school=membership.school,
                data={"version": version.version, "sha256": version.sha256},
            )
            compliance_changed_after_commit(
                sender=PolicyConfirmation,
                reason="policy_confirmed",
                user_ids=[membership.user_id],
                school_ids=[membership.school_id],
            )
            return confirmation
    except IntegrityError:
        return PolicyConfirmation.objects.get(version=version, membership=membership)
