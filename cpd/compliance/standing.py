"""The compliance rule itself: a person's standing against one requirement on a date.

Pure functions over small values, with no database access, so the rule can be read in one
place and tested case by case (``tests/cpd/test_compliance_rules.py``). The engine
(``cpd.compliance.engine``) reads the evidence and applies :func:`status_for` to each
person and each requirement that concerns them.

The values are plain dataclasses with slots, not frozen ones: a trust's summary makes tens
of thousands, and a frozen dataclass takes four times as long to make."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from cpd.dates import add_months


class Status(models.TextChoices):
    """A person's standing against one requirement on a given date."""

    COMPLIANT = "compliant", _("Up to date")
    DUE_SOON = "due_soon", _("Due soon")
    EXPIRED = "expired", _("Expired")
    OVERDUE = "overdue", _("Overdue")
    IN_PROGRESS = "in_progress", _("In progress")
    INDUCTION_DUE = "induction_due", _("In induction")
    NOT_STARTED = "not_started", _("Not started")


# Most urgent first: the order of My training and of the dashboard's counts.
URGENCY: tuple[Status, ...] = (
    Status.OVERDUE,
    Status.EXPIRED,
    Status.NOT_STARTED,
    Status.DUE_SOON,
    Status.INDUCTION_DUE,
    Status.IN_PROGRESS,
    Status.COMPLIANT,
)

# Trained and not yet expired: what "n% up to date" counts.
UP_TO_DATE: frozenset[Status] = frozenset({Status.COMPLIANT, Status.DUE_SOON})


@dataclass(slots=True, frozen=True)
class Terms:
    """What a requirement asks: renew every ``renewal_months`` (None: once is enough),
    first complete within ``induction_days`` of starting (None: no deadline), and warn
    ``due_soon_days`` before the training runs out."""

    renewal_months: int | None = None
    induction_days: int | None = None
    due_soon_days: int = 30
    renewal_month: int | None = None

    @classmethod
    def of(cls, requirement) -> "Terms":
        return cls(
            requirement.renewal_months,
            requirement.induction_days,
            requirement.due_soon_days,
            requirement.renewal_month,
        )


def renew_in_month_ends(completed_on: date, month: int) -> date:
    """Done on ``completed_on``, renewed each year during ``month``: the day after the
    end of the first such month that starts after it (the first of the next month). Done
    in August, renew in the September just after; done in September, the next one."""
    year = (
        completed_on.year
        if date(completed_on.year, month, 1) > completed_on
        else (completed_on.year + 1)
    )
    return add_months(date(year, month, 1), 1)


@dataclass(slots=True)
class Evidence:
    """Training a person has done for a course: a valid certificate (with its id and its
    own expiry, if any), a verified external record, or enough bulletins confirmed."""

    completed_on: date
    expires_on: date | None = None
    certificate_id: int | None = None


@dataclass(slots=True)
class Standing:
    """The rule's answer. ``due_on`` is when action is needed: the date the training runs
    out, or the induction deadline. ``expires_on`` is set only when there is evidence."""

    status: Status
    due_on: date | None = None
    expires_on: date | None = None
    certificate_id: int | None = None


def status_for(
    *,
    terms: Terms,
    evidence: Evidence | None,
    started_on: date,
    in_progress: bool,
    on: date,
) -> Standing:
    """A person's standing against one requirement on the date ``on``.

    With evidence, the training runs out at the earlier of the certificate's own expiry
    and the renewal date: expired from that day, due soon within the window before it,
    otherwise up to date. Without, an induction deadline makes it overdue once the
    deadline has passed, else in progress (if they have started the course) or in
    induction; with no deadline it is simply not started."""
    if evidence is not None:
        ends_on = evidence.expires_on
        if terms.renewal_months:
            renew_on = add_months(evidence.completed_on, terms.renewal_months)
            ends_on = min(ends_on, renew_on) if ends_on else renew_on
        if terms.renewal_month:
            renew_on = renew_in_month_ends(evidence.completed_on, terms.renewal_month)
            ends_on = min(ends_on, renew_on) if ends_on else renew_on
        if ends_on is None:
            status = Status.COMPLIANT
        elif on >= ends_on:
            status = Status.EXPIRED
        elif on >= ends_on - timedelta(days=terms.due_soon_days):
            status = Status.DUE_SOON
        else:
            status = Status.COMPLIANT
        return Standing(status, ends_on, ends_on, evidence.certificate_id)
    if terms.induction_days is None:
        due_on = None
    else:
        due_on = started_on + timedelta(days=terms.induction_days)
    if due_on is not None and on > due_on:
        status = Status.OVERDUE
    elif in_progress:
        status = Status.IN_PROGRESS
    elif due_on is not None:
        status = Status.INDUCTION_DUE
    else:
        status = Status.NOT_STARTED
    return Standing(status, due_on)


def bulletin_evidence(
    days: list[date], *, needed: int, renewal_months: int | None, on: date
) -> Evidence | None:
    """Enough bulletins confirmed within the renewal period count as completing the
    requirement on the day the last of the needed ones was confirmed. ``days`` are the
    days a bulletin was confirmed, none after ``on``."""
    since = add_months(on, -renewal_months) if renewal_months else date.min
    recent = sorted((day for day in days if day > since), reverse=True)
    if not needed or len(recent) < needed:
        return None
    return Evidence(recent[needed - 1])


def latest_evidence(*candidates: Evidence | None) -> Evidence | None:
    """The most recent of the candidates; on a tie, the one given first."""
    found = None
    for candidate in candidates:
        if candidate is not None and (found is None or candidate.completed_on > found.completed_on):
            found = candidate
    return found


@dataclass(slots=True)
class PolicyRead:
    """One policy in force at the person's school: the day its current version took
    effect, the day they confirmed it (None: not yet), and whether they had confirmed an
    earlier version of it."""

    effective_on: date
    confirmed_on: date | None
    confirmed_before: bool = False


def policy_status_for(
    *, terms: Terms, policies: list[PolicyRead], started_on: date, on: date
) -> Standing | None:
    """A person's standing against "read and confirm the school's policies". None when
    the school has no policy in force: there is nothing to confirm.

    All confirmed: done on the day of the earliest confirmation, renewed as the terms say
    (each September in the KCSIE pack). A new version of a policy they had confirmed asks
    them again: due soon until ``induction_days`` after it takes effect, overdue after.
    A policy they have never confirmed is due within ``induction_days`` of the later of
    their start and the policy's effective date, like any induction; having confirmed
    some of the policies, they are in progress until then."""
    if not policies:
        return None
    unread = [p for p in policies if p.confirmed_on is None]
    if not unread:
        evidence = Evidence(min(p.confirmed_on for p in policies))
        return status_for(
            terms=terms, evidence=evidence, started_on=started_on, in_progress=False, on=on
        )
    days = terms.induction_days if terms.induction_days is not None else terms.due_soon_days
    never = [p for p in unread if not p.confirmed_before]
    if not never:
        due_on = max(p.effective_on for p in unread) + timedelta(days=days)
        return Standing(Status.OVERDUE if on > due_on else Status.DUE_SOON, due_on)
    since = max(started_on, max(p.effective_on for p in never))
    return status_for(
        terms=terms,
        evidence=None,
        started_on=since,
        in_progress=len(unread) < len(policies),
        on=on,
    )
