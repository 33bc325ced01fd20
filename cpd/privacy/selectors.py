from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Max, Q
from django.utils import timezone

from certificates.models import Certificate
from courses.models import Acknowledgement, Enrolment
from cpd.arrangements.policies import confirmations_of
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


def as_iso(value):
    return value.isoformat() if value else None


def _person(*, user, memberships: list[Membership], school: School | None) -> dict:
    """Who the export is about. For one school: the names that school gave them, and
    nothing of their account until they have joined (an invitation reveals nothing)."""
    if school is None:
        return {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "joined": as_iso(user.date_joined),
            "last_sign_in": as_iso(user.last_login),
        }
    joined = any(not m.invited for m in memberships)
    first = memberships[0] if memberships else None
    return {
        "first_name": first.first_name if first else "",
        "last_name": first.last_name if first else "",
        "email": user.email,
        "joined": as_iso(user.date_joined) if joined else None,
        "last_sign_in": as_iso(user.last_login) if joined else None,
    }


def subject_access_data(*, user, school: School | None = None) -> dict:
    """Everything held about the person, as JSON-ready data. With a school, only what that
    school holds (its memberships and what hangs from them)."""
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
        "person": _person(user=user, memberships=memberships, school=school),
        "memberships": [
            {
                "school": m.school.name,
                "role": m.role,
                "staff_category": m.staff_category,
                "job_title": m.job_title,
                "started_on": as_iso(m.started_on),
                "left_on": as_iso(m.left_on),
            }
            for m in memberships
        ],  # fmt: skip
        "enrolments": [
            {
                "course": e.course_version.course.title,
                "version": e.course_version.number,
                "status": e.status,
                "started_at": as_iso(e.started_at),
                "completed_at": as_iso(e.completed_at),
                "lessons": [
                    {
                        "lesson": p.lesson.title,
                        "completed_at": as_iso(p.completed_at),
                        "seconds_spent": p.seconds_spent,
                    }
                    for p in e.progress.all()
                ],  # fmt: skip
                "attempts": [
                    {
                        "number": a.number,
                        "started_at": as_iso(a.started_at),
                        "submitted_at": as_iso(a.submitted_at),
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
                "at": as_iso(a.at),
            }
            for a in Acknowledgement.objects.filter(membership__in=ids)
        ],  # fmt: skip
        "policy_confirmations": [
            {
                "school": c.membership.school.name,
                "policy": c.version.policy.title,
                "version": c.version.version,
                "effective_on": as_iso(c.version.effective_on),
                "at": as_iso(c.at),
                "sha256": c.sha256,
            }
            for c in confirmations_of(memberships=ids)
        ],  # fmt: skip
        "certificates": [
            {
                "serial": c.serial,
                "course": c.course_title,
                "version": c.course_version_number,
                "holder_name": c.holder_name,
                "school": c.school_name,
                "score": c.score,
                "completed_on": as_iso(c.completed_on),
                "expires_on": as_iso(c.expires_on),
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
                "completed_on": as_iso(r.completed_on),
                "minutes": r.minutes,
                "status": r.status,
                "file": f"evidence/{r.pk}-{r.evidence.name.rsplit('/', 1)[-1]}"
                if r.evidence
                else None,
            }
            for r in ExternalRecord.objects.filter(membership__in=ids)
        ],  # fmt: skip
        "bulletins_confirmed": [
            {"bulletin": r.bulletin.title, "at": as_iso(r.at)}
            for r in BulletinRead.objects.filter(membership__in=ids).select_related("bulletin")
        ],
        "reminders_sent": [
            {"kind": r.kind, "for_date": as_iso(r.due_on), "sent_at": as_iso(r.sent_at)}
            for r in ReminderLog.objects.filter(membership__in=ids)
        ],
        "audit_events": [
            {
                "at": as_iso(e.at),
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
