from collections import defaultdict
from datetime import date, timedelta
from operator import itemgetter
from typing import NamedTuple

from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpd.dates import add_months
from cpd.models import Membership, Requirement, School


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


class ComplianceRow(NamedTuple):
    """One person against one requirement on a date. A tuple: tens of thousands are made
    for a trust's dashboard, and tuples are the cheapest objects to make."""

    membership: Membership
    requirement: Requirement
    status: str
    due_on: date | None = None
    expires_on: date | None = None
    certificate_id: int | None = None

    @property
    def label(self) -> str:
        return Status(self.status).label

    @property
    def up_to_date(self) -> bool:
        return self.status in UP_TO_DATE


def requirements_by_school(*, schools: list[School]) -> dict[int, list[Requirement]]:
    """The requirements in force in each school, in one query. A trust's requirement for a
    course replaces the platform default for that course; a school's replaces both. A trust
    or school row that is switched off (is_active False) removes the course's requirement
    there altogether."""
    trust_ids = {s.trust_id for s in schools if s.trust_id}
    candidates = list(
        Requirement.objects.filter(
            Q(scope=Requirement.Scope.PLATFORM, is_active=True)
            | Q(scope=Requirement.Scope.TRUST, trust_id__in=trust_ids)
            | Q(scope=Requirement.Scope.SCHOOL, school_id__in=[s.pk for s in schools])
        )
        .select_related("course")
        .order_by("name", "pk")
    )
    rank = {Requirement.Scope.PLATFORM: 0, Requirement.Scope.TRUST: 1, Requirement.Scope.SCHOOL: 2}
    resolved: dict[int, list[Requirement]] = {}
    for school in schools:
        in_force = [
            r
            for r in candidates
            if r.scope == Requirement.Scope.PLATFORM
            or (r.scope == Requirement.Scope.TRUST and r.trust_id == school.trust_id)
            or (r.scope == Requirement.Scope.SCHOOL and r.school_id == school.pk)
        ]
        most_specific = {}
        for r in in_force:
            most_specific[r.course_id] = max(most_specific.get(r.course_id, 0), rank[r.scope])
        resolved[school.pk] = [
            r for r in in_force if rank[r.scope] == most_specific[r.course_id] and r.is_active
        ]
    return resolved


def _bulletins_evidence(days: list[date], *, requirement: Requirement, on: date):
    """Enough bulletins confirmed within the renewal period count as completing the
    requirement on the day the last of the needed ones was confirmed."""
    since = add_months(on, -requirement.renewal_months) if requirement.renewal_months else date.min
    recent = sorted((d for d in days if d > since), reverse=True)
    if len(recent) < requirement.bulletins_needed:
        return None
    return (None, requirement.course_id, recent[requirement.bulletins_needed - 1], None, None)


MANY_PEOPLE = 500


_PERSON = itemgetter("id", "user_id", "started_on")


_GROUP = itemgetter("school_id", "role", "staff_category")


COMPLIANT, DUE_SOON, EXPIRED = Status.COMPLIANT, Status.DUE_SOON, Status.EXPIRED


OVERDUE, IN_PROGRESS = Status.OVERDUE, Status.IN_PROGRESS


INDUCTION_DUE, NOT_STARTED = Status.INDUCTION_DUE, Status.NOT_STARTED


def _fetch(queryset) -> list[tuple]:
    """The rows of a ``values_list`` queryset straight from the database cursor. The
    drivers already return dates and integers, so Django's per-value conversion (a third
    of the selector's time at trust scale) is skipped. Use only for plain columns."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def compliance_rows(*, memberships: list[Membership], on: date) -> list[ComplianceRow]:
    """The status of each membership against each requirement that applies to it, on a date.

    Four queries whatever the number of people: requirements, certificates, verified
    external records and enrolments in progress. A certificate belongs to the person, so
    training done while at another school counts here too."""
    if not memberships:
        return []
    Certificate = apps.get_model("certificates", "Certificate")
    Enrolment = apps.get_model("courses", "Enrolment")
    ExternalRecord = apps.get_model("cpd", "ExternalRecord")

    one_each = {m.__dict__["school_id"]: m for m in memberships}
    schools = [m.school for m in one_each.values()]
    requirements = requirements_by_school(schools=schools)
    course_ids = {r.course_id for rs in requirements.values() for r in rs}
    if not course_ids:
        return []
    # A few people: name them. Many (a school, a trust): select by their schools instead,
    # which is a superset, since thousands of ids in an IN clause cost more than they save.
    if len(memberships) > MANY_PEOPLE:
        school_ids = [s.pk for s in schools]
        people = Q(membership__user_id__in=Membership.objects.filter(
            school_id__in=school_ids
        ).values("user_id"))  # fmt: skip
        places = Q(membership__school_id__in=school_ids)
        certified = Q(course_id__in=course_ids)
    else:
        people = Q(membership__user_id__in={m.user_id for m in memberships})
        places = Q(membership_id__in=[m.pk for m in memberships])
        # A few people's certificates are few: take them all and keep the courses that
        # count below. Naming the courses too lets SQLite, without statistics, start from
        # every certificate of those courses instead of from the people (6 ms, not 0.1).
        certified = Q()

    # Oldest first, so the latest certificate for a person and course is the one kept.
    # Evidence is kept as (person, course, completed_on, expires_on, certificate_id) rows,
    # by course and then person, so that the loop below looks up an integer, not a pair.
    held: dict[int, dict[int, tuple]] = {course_id: {} for course_id in course_ids}
    for row in _fetch(
        Certificate.objects.filter(
            people,
            certified,
            status=Certificate.Status.VALID,
            completed_on__lte=on,
        )
        .order_by("completed_on", "pk")
        .values_list("membership__user_id", "course_id", "completed_on", "expires_on", "pk")
    ):
        if (of_course := held.get(row[1])) is not None:
            of_course[row[0]] = row

    external: dict[tuple[int, int], tuple] = {
        (membership_id, course_id): (membership_id, course_id, completed_on, None, None)
        for membership_id, course_id, completed_on in _fetch(
            ExternalRecord.objects.filter(
                places,
                satisfies_course_id__in=course_ids,
                status=ExternalRecord.Status.VERIFIED,
                completed_on__lte=on,
            )
            .order_by("completed_on", "pk")
            .values_list("membership_id", "satisfies_course_id", "completed_on")
        )
    }

    # Bulletins confirmed, only when a requirement in force accepts them.
    bulletin_dates: dict[int, list[date]] = defaultdict(list)
    if any(r.bulletins_needed for rs in requirements.values() for r in rs):
        BulletinRead = apps.get_model("cpd", "BulletinRead")
        for membership_id, at in BulletinRead.objects.filter(places).values_list(
            "membership_id", "at"
        ):
            day = timezone.localdate(at)
            if day <= on:
                bulletin_dates[membership_id].append(day)

    in_progress = set(
        _fetch(
            Enrolment.objects.filter(
                people,
                course_version__course_id__in=course_ids,
                status=Enrolment.Status.IN_PROGRESS,
            ).values_list("membership__user_id", "course_version__course_id")
        )
    )

    # The rules, applied to each person and each requirement that concerns them. Inlined:
    # at trust scale this loop runs tens of thousands of times.
    #   With evidence (the latest certificate, verified record or enough bulletins), the
    #   training expires at the earlier of the certificate's expiry and the renewal date:
    #   expired from that day, due soon within the window before it, otherwise up to date.
    #   Without, a deadline from the start date makes it overdue once passed, else in
    #   progress (if started) or in induction; with no deadline it is simply not started.
    # A person's plan is the same for everyone with their school, role and category: one
    # tuple per requirement that concerns them, holding all the loop reads. Each
    # requirement also remembers the status it gave each completion date, since thousands
    # of people share a few hundred dates.
    statuses: dict[int, dict[date, tuple]] = {}
    plans: dict[tuple, list[tuple]] = {}

    def plan_for(school_id, role, category) -> list[tuple]:
        return [
            (
                r,
                r.course_id,
                held[r.course_id].get,
                r.renewal_months,
                timedelta(days=r.due_soon_days),
                None if r.induction_days is None else timedelta(days=r.induction_days),
                r.bulletins_needed,
                statuses.setdefault(r.pk, {}),
            )
            for r in requirements[school_id]
            if (not r.roles or role in r.roles)
            and (not r.staff_categories or category in r.staff_categories)
        ]

    rows = []
    append, new, row_type = rows.append, tuple.__new__, ComplianceRow
    # Read straight from the instances' dicts: Django's field descriptors cost more than
    # everything else in this loop put together.
    fields = list(map(vars, memberships))
    for membership, (pk, user_id, started_on), group in zip(
        memberships, map(_PERSON, fields), map(_GROUP, fields), strict=True
    ):
        plan = plans.get(group)
        if plan is None:
            plan = plans[group] = plan_for(*group)
        for (
            requirement,
            course_id,
            evidence_of,
            renewal,
            due_soon,
            induction,
            bulletins,
            seen,
        ) in plan:
            found = evidence_of(user_id)
            if external:
                outside = external.get((pk, course_id))
                if outside and (found is None or outside[2] > found[2]):
                    found = outside
            if bulletins:
                read = _bulletins_evidence(
                    bulletin_dates.get(pk, []), requirement=requirement, on=on
                )
                if read and (found is None or read[2] > found[2]):
                    found = read
            if found is not None:
                _, _, completed_on, expires_on, certificate_id = found
                known = seen.get(completed_on)
                if known is None or known[0] != expires_on:
                    ends_on = expires_on
                    if renewal:
                        renew_on = add_months(completed_on, renewal)
                        ends_on = min(ends_on, renew_on) if ends_on else renew_on
                    if ends_on is None:
                        status = COMPLIANT
                    elif on >= ends_on:
                        status = EXPIRED
                    elif on >= ends_on - due_soon:
                        status = DUE_SOON
                    else:
                        status = COMPLIANT
                    known = seen[completed_on] = (expires_on, status, ends_on)
                _, status, ends_on = known
                append(
                    new(
                        row_type,
                        (membership, requirement, status, ends_on, ends_on, certificate_id),
                    )
                )
                continue
            due_on = None if induction is None else started_on + induction
            if due_on is not None and on > due_on:
                status = OVERDUE
            elif in_progress and (user_id, course_id) in in_progress:
                status = IN_PROGRESS
            elif due_on is not None:
                status = INDUCTION_DUE
            else:
                status = NOT_STARTED
            append(new(row_type, (membership, requirement, status, due_on, None, None)))
    return rows
