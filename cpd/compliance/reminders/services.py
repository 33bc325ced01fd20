"""Reminders: to each person before their training falls due or expires and when it is
overdue, naming their DSL; a weekly digest to each DSL; a personal nudge from the DSL.

Every email sent is logged in ReminderLog first, inside the same transaction, and the
database refuses a second log row for the same reminder — so running the command twice on
the same day, or on two machines at once, never sends the same reminder twice."""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from cpd.audit.services import audit_record
from cpd.compliance.engine import UP_TO_DATE, URGENCY, ComplianceRow, Status, compliance_rows
from cpd.conf import cpd_settings
from cpd.models import Membership, ReminderLog, School
from cpd.urls_absolute import absolute_url

logger = logging.getLogger(__name__)


OVERDUE = frozenset({Status.OVERDUE, Status.EXPIRED, Status.NOT_STARTED})


LEADS = (Membership.Role.DSL, Membership.Role.DEPUTY_DSL)


@dataclass
class ReminderRun:
    reminders: int = 0
    digests: int = 0


def _kind(row: ComplianceRow, on: date) -> str | None:
    if row.status in OVERDUE:
        return ReminderLog.Kind.OVERDUE
    if row.status == Status.DUE_SOON:
        return ReminderLog.Kind.UPCOMING
    if row.status in {Status.INDUCTION_DUE, Status.IN_PROGRESS} and row.due_on:
        window = timedelta(days=row.requirement.due_soon_days)
        if row.due_on - on <= window:
            return ReminderLog.Kind.UPCOMING
    return None


def _log_once(**fields) -> bool:
    """Record a reminder; False if it had already been sent."""
    try:
        with transaction.atomic():
            ReminderLog.objects.create(**fields)
    except IntegrityError:
        return False
    return True


def _leads_by_school(school_ids, on: date) -> dict[int, list[Membership]]:
    leads = defaultdict(list)
    for lead in (
        Membership.objects.filter(school_id__in=school_ids, role__in=LEADS)
        .active_on(on)
        .select_related("user")
        .order_by("role", "last_name")
    ):
        leads[lead.school_id].append(lead)
    return leads


def _send(template: str, to: str, context: dict) -> None:
    context = {**context, "site_name": cpd_settings.SITE_NAME}
    send_mail(
        subject=render_to_string(f"cpd/email/{template}_subject.txt", context).strip(),
        message=render_to_string(f"cpd/email/{template}_body.txt", context),
        from_email=cpd_settings.FROM_EMAIL or None,
        recipient_list=[to],
    )


def reminders_send(*, on: date, schools=None) -> ReminderRun:
    """Send today's reminders and this week's digests, each at most once."""
    memberships = Membership.objects.active_on(on).select_related("user", "school")
    if schools is not None:
        memberships = memberships.filter(school__in=schools)
    memberships = list(memberships)
    rows = compliance_rows(memberships=memberships, on=on)
    leads = _leads_by_school({m.school_id for m in memberships}, on)
    run = ReminderRun()

    items = defaultdict(list)
    for row in rows:
        kind = _kind(row, on)
        if kind is None:
            continue
        due = row.due_on or row.membership.started_on
        if _log_once(membership=row.membership, requirement=row.requirement, kind=kind, due_on=due):
            items[row.membership].append((kind, row))
    for membership, entries in items.items():
        if not membership.user.email:
            continue
        _send(
            "reminder",
            membership.user.email,
            {
                "membership": membership,
                "overdue": [row for kind, row in entries if kind == ReminderLog.Kind.OVERDUE],
                "upcoming": [row for kind, row in entries if kind == ReminderLog.Kind.UPCOMING],
                "leads": leads.get(membership.school_id, []),
                "training_url": absolute_url("cpd:my_training"),
            },
        )
        run.reminders += 1

    week = on - timedelta(days=on.weekday())
    by_school = defaultdict(list)
    for row in rows:
        by_school[row.membership.school_id].append(row)
    for school_id, school_leads in leads.items():
        school_rows = by_school.get(school_id, [])
        for lead in school_leads:
            if not lead.user.email or not _log_once(
                membership=lead, requirement=None, kind=ReminderLog.Kind.DIGEST, due_on=week
            ):
                continue
            _send(
                "digest",
                lead.user.email,
                {
                    "lead": lead,
                    "on": on,
                    "counts": _counts(school_rows),
                    "attention": sorted(
                        (r for r in school_rows if r.status in OVERDUE),
                        key=lambda r: (r.membership.last_name, r.requirement.name),
                    ),
                    "dashboard_url": absolute_url(
                        "cpd:compliance", kwargs={"slug": lead.school.slug}
                    ),
                },
            )
            run.digests += 1
    logger.info("Sent %s reminders and %s digests for %s", run.reminders, run.digests, on)
    return run


def _counts(rows) -> list[tuple[str, int]]:
    counts = dict.fromkeys(URGENCY, 0)
    for row in rows:
        counts[row.status] += 1
    return [(s.label, n) for s, n in counts.items() if n]


class NudgeRefused(Exception):
    pass


@dataclass(frozen=True)
class OverdueReminded:
    sent: int
    already: int
    """Overdue people skipped because they had been reminded already that day."""


def overdue_remind_all(*, school: School, sender, on: date) -> OverdueReminded:
    """A nudge to every member of staff with training overdue, expired or not started, at
    most one a day each (a second press the same day sends nothing new). One audit event
    for the whole run, naming how many were sent."""
    memberships = list(
        Membership.objects.for_school(school).active_on(on).select_related("user", "school")
    )
    owing = defaultdict(list)
    for row in compliance_rows(memberships=memberships, on=on):
        if row.status not in UP_TO_DATE:
            owing[row.membership.pk].append(row)
    sent = already = 0
    for membership in memberships:
        rows = owing.get(membership.pk, [])
        if not any(row.status in OVERDUE for row in rows):
            continue
        if not _log_once(
            membership=membership, requirement=None, kind=ReminderLog.Kind.NUDGE, due_on=on
        ):
            already += 1
            continue
        _send(
            "nudge",
            membership.user.email,
            {
                "membership": membership,
                "rows": rows,
                "sender": sender,
                "training_url": absolute_url("cpd:my_training"),
            },
        )
        sent += 1
    audit_record(
        actor=sender,
        action="cpd.compliance.overdue_reminded",
        target=school,
        school=school,
        data={"sent": sent, "already_reminded_today": already},
    )
    return OverdueReminded(sent=sent, already=already)


def last_reminded(*, membership_ids) -> dict[int, date]:
    """When each of these people was last sent a reminder (not counting DSLs' digests)."""
    found = (
        ReminderLog.objects.filter(membership_id__in=membership_ids)
        .exclude(kind=ReminderLog.Kind.DIGEST)
        .values("membership_id")
        .annotate(last=Max("sent_at"))
        .order_by()
    )
    return {row["membership_id"]: timezone.localdate(row["last"]) for row in found}


def nudge_send(*, school: School, membership: Membership, sender, on: date) -> None:
    """A personal reminder from the DSL, listing what the person still has to do. At most
    one a day per person, so a double click sends one email. Someone only invited is not
    chased (nor is their training from elsewhere looked at) until they have joined."""
    if membership.invited:
        raise NudgeRefused(
            f"{membership.display_name} has not accepted the invitation to join yet: "
            "reminders start once they do."
        )
    rows = [
        r for r in compliance_rows(memberships=[membership], on=on) if r.status not in UP_TO_DATE
    ]
    if not rows:
        raise NudgeRefused(f"{membership.display_name} is up to date: nothing to chase.")
    if not _log_once(
        membership=membership, requirement=None, kind=ReminderLog.Kind.NUDGE, due_on=on
    ):
        raise NudgeRefused(f"{membership.display_name} has already been sent a reminder today.")
    audit_record(
        actor=sender,
        action="cpd.membership.nudged",
        target=membership,
        school=school,
        data={"requirements": [r.requirement.name for r in rows]},
    )
    _send(
        "nudge",
        membership.user.email,
        {
            "membership": membership,
            "rows": rows,
            "sender": sender,
            "training_url": absolute_url("cpd:my_training"),
        },
    )
