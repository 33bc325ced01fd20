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

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from cpd.conf import cpd_settings
from cpd.dates import add_months
from cpd.models import (
    AuditEvent,
    BulletinRead,
    ExternalRecord,
    Membership,
    ReminderLog,
    School,
)
from cpd.services import audit_record

ANONYMISED_NAME = "Anonymised"


def _iso(value):
    return value.isoformat() if value else None


def subject_access_data(*, user, school: School | None = None) -> dict:
    """Everything held about the person, as JSON-ready data. With a school, only what that
    school holds (its memberships and what hangs from them)."""
    Certificate = apps.get_model("certificates", "Certificate")
    Enrolment = apps.get_model("courses", "Enrolment")
    Acknowledgement = apps.get_model("courses", "Acknowledgement")
    memberships = Membership.objects.filter(user=user).select_related("school")
    if school is not None:
        memberships = memberships.filter(school=school)
    memberships = list(memberships)
    ids = [m.pk for m in memberships]
    enrolments = (
        Enrolment.objects.filter(membership__in=ids)
        .select_related("course_version__course")
        .prefetch_related(
            "progress__lesson", "attempts__answers__question", "attempts__answers__choices"
        )
    )
    return {
        "exported_at": timezone.now().isoformat(),
        "scope": school.name if school else "all schools",
        "person": {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "joined": _iso(user.date_joined),
            "last_sign_in": _iso(user.last_login),
        },
        "memberships": [
            {
                "school": m.school.name,
                "role": m.role,
                "staff_category": m.staff_category,
                "job_title": m.job_title,
                "started_on": _iso(m.started_on),
                "left_on": _iso(m.left_on),
            }
            for m in memberships
        ],  # fmt: skip
        "enrolments": [
            {
                "course": e.course_version.course.title,
                "version": e.course_version.number,
                "status": e.status,
                "started_at": _iso(e.started_at),
                "completed_at": _iso(e.completed_at),
                "lessons": [
                    {
                        "lesson": p.lesson.title,
                        "completed_at": _iso(p.completed_at),
                        "seconds_spent": p.seconds_spent,
                    }
                    for p in e.progress.all()
                ],  # fmt: skip
                "attempts": [
                    {
                        "number": a.number,
                        "started_at": _iso(a.started_at),
                        "submitted_at": _iso(a.submitted_at),
                        "score": a.score,
                        "passed": a.passed,
                        "answers": [
                            {
                                "question": ans.question.prompt,
                                "correct": ans.correct,
                                "chosen": [c.text for c in ans.choices.all()],
                            }
                            for ans in a.answers.all()
                        ],
                    }
                    for a in e.attempts.all()
                ],  # fmt: skip
            }
            for e in enrolments
        ],
        "acknowledgements": [
            {
                "document": a.document,
                "version": a.document_version,
                "statement": a.statement,
                "at": _iso(a.at),
            }
            for a in Acknowledgement.objects.filter(membership__in=ids)
        ],  # fmt: skip
        "certificates": [
            {
                "serial": c.serial,
                "course": c.course_title,
                "version": c.course_version_number,
                "holder_name": c.holder_name,
                "school": c.school_name,
                "score": c.score,
                "completed_on": _iso(c.completed_on),
                "expires_on": _iso(c.expires_on),
                "status": c.status,
                "pdf_sha256": c.pdf_sha256,
                "file": f"certificates/{c.serial}.pdf" if c.pdf else None,
            }
            for c in Certificate.objects.filter(membership__in=ids).order_by("issued_at")
        ],  # fmt: skip
        "external_records": [
            {
                "title": r.title,
                "provider": r.provider,
                "completed_on": _iso(r.completed_on),
                "minutes": r.minutes,
                "status": r.status,
                "file": f"evidence/{r.pk}-{r.evidence.name.rsplit('/', 1)[-1]}"
                if r.evidence
                else None,
            }
            for r in ExternalRecord.objects.filter(membership__in=ids)
        ],  # fmt: skip
        "bulletins_confirmed": [
            {"bulletin": r.bulletin.title, "at": _iso(r.at)}
            for r in BulletinRead.objects.filter(membership__in=ids).select_related("bulletin")
        ],
        "reminders_sent": [
            {"kind": r.kind, "for_date": _iso(r.due_on), "sent_at": _iso(r.sent_at)}
            for r in ReminderLog.objects.filter(membership__in=ids)
        ],
        "audit_events": [
            {
                "at": _iso(e.at),
                "action": e.action,
                "target": e.target_repr,
                "data": e.data,
                "by_this_person": e.actor_id == user.pk,
            }
            for e in AuditEvent.objects.filter(
                Q(actor=user) | Q(target_type="cpd.membership", target_id__in=[str(i) for i in ids])
            ).filter(Q(school__in=[m.school_id for m in memberships]) | Q(school__isnull=True))
        ],  # fmt: skip
    }


def subject_access_export(*, user, actor, school: School | None = None) -> bytes:
    """A ZIP: person.json plus the person's certificate PDFs and evidence files, exactly as
    stored. Audit-logged against the school (or the platform)."""
    Certificate = apps.get_model("certificates", "Certificate")
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


def retention_candidates(*, on: date, months: int | None = None):
    """People whose every membership ended at least ``months`` before ``on`` (default
    CPD_RETENTION_MONTHS), and who are not anonymised yet."""
    months = cpd_settings.RETENTION_MONTHS if months is None else months
    cutoff = add_months(on, -months)
    User = get_user_model()
    current = Membership.objects.filter(Q(left_on__isnull=True) | Q(left_on__gt=cutoff))
    return (
        User.objects.filter(cpd_memberships__isnull=False)
        .exclude(pk__in=current.values("user_id"))
        .exclude(email__endswith="@anonymised.invalid")
        .annotate(last_left=Max("cpd_memberships__left_on"))
        .order_by("pk")
    ), cutoff


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
    certificate verification need. Files showing their name (certificate PDFs, evidence)
    are deleted; certificates still verify, with the holder shown as anonymised."""
    Certificate = apps.get_model("certificates", "Certificate")
    memberships = list(Membership.objects.filter(user=user))
    now = timezone.now()
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
    Membership.objects.filter(pk__in=[m.pk for m in memberships]).update(job_title="")
    # The trail keeps every event; only the display text naming the person is replaced.
    AuditEvent.objects.filter(
        target_type="cpd.membership", target_id__in=[str(m.pk) for m in memberships]
    ).update(target_repr=f"{ANONYMISED_NAME} member of staff")
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
            data={"left_on": _iso(membership.left_on)},
        )
