"""Reads for the cpd app. Every school-scoped read starts from one of these."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import itemgetter
from typing import NamedTuple

from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpd.dates import add_months
from cpd.models import Membership, Requirement, School
from cpd.permissions import compliance_schools_q


class Status:
    """A person's standing against one requirement on a given date."""

    COMPLIANT = "compliant"
    DUE_SOON = "due_soon"
    EXPIRED = "expired"
    OVERDUE = "overdue"
    IN_PROGRESS = "in_progress"
    INDUCTION_DUE = "induction_due"
    NOT_STARTED = "not_started"

    LABELS = {
        COMPLIANT: _("Up to date"),
        DUE_SOON: _("Due soon"),
        EXPIRED: _("Expired"),
        OVERDUE: _("Overdue"),
        IN_PROGRESS: _("In progress"),
        INDUCTION_DUE: _("In induction"),
        NOT_STARTED: _("Not started"),
    }
    # Most urgent first: the order of My training and of the dashboard's counts.
    URGENCY = [OVERDUE, EXPIRED, NOT_STARTED, DUE_SOON, INDUCTION_DUE, IN_PROGRESS, COMPLIANT]
    UP_TO_DATE = frozenset({COMPLIANT, DUE_SOON})
    # Chart fills, each at least 3:1 against white (WCAG 1.4.11); the numbers are always
    # given as text too, so colour is never the only signal.
    CHART_COLOURS = {
        COMPLIANT: "#00703c",
        DUE_SOON: "#8a6100",
        INDUCTION_DUE: "#5b3fa0",
        IN_PROGRESS: "#1d70b8",
        NOT_STARTED: "#6f777b",
        EXPIRED: "#b3261e",
        OVERDUE: "#7a1b12",
    }


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
        return Status.LABELS[self.status]

    @property
    def up_to_date(self) -> bool:
        return self.status in Status.UP_TO_DATE


@dataclass
class ComplianceMatrix:
    school: School
    on: date
    requirements: list[Requirement]
    rows: list[ComplianceRow]
    by_membership: dict[int, dict[int, ComplianceRow]] = field(default_factory=dict)
    memberships: list[Membership] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(Status.URGENCY, 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts

    @property
    def percent_up_to_date(self) -> int | None:
        if not self.rows:
            return None
        return round(100 * sum(row.up_to_date for row in self.rows) / len(self.rows))


def schools_for_compliance(*, user) -> QuerySet[School]:
    return School.objects.filter(compliance_schools_q(user))


def school_for_compliance(*, user, slug: str) -> School:
    """The school, if this user may see its compliance; otherwise 404 (not 403), so that
    another school's existence is not revealed."""
    school = schools_for_compliance(user=user).filter(slug=slug).first()
    if school is None:
        raise Http404("No such school.")
    return school


def memberships_of(*, user, on: date) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .active_on(on)
        .select_related("school", "school__trust")
        .order_by("school__name")
    )


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


def compliance_matrix(*, school: School, on: date) -> ComplianceMatrix:
    """Every active member of the school against every requirement in force there."""
    memberships = list(
        Membership.objects.for_school(school)
        .active_on(on)
        .select_related("user", "school")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    rows = compliance_rows(memberships=memberships, on=on)
    by_membership: dict[int, dict[int, ComplianceRow]] = defaultdict(dict)
    for row in rows:
        by_membership[row.membership.pk][row.requirement.pk] = row
    requirements = sorted(
        {row.requirement.pk: row.requirement for row in rows}.values(), key=lambda r: r.name
    )
    return ComplianceMatrix(
        school=school,
        on=on,
        requirements=requirements,
        rows=rows,
        by_membership=dict(by_membership),
        memberships=memberships,
    )


# The school dashboard: filters, sorting and the per-requirement summary.


@dataclass(frozen=True)
class MatrixFilters:
    status: str = ""
    role: str = ""
    category: str = ""
    course: str = ""  # a course slug: only that requirement's column is considered
    q: str = ""
    sort: str = "name"  # name | -name | urgency | due

    SORTS = ("name", "-name", "urgency", "due")


@dataclass
class MatrixLine:
    membership: Membership
    cells: list  # ComplianceRow | None, one per requirement column

    @property
    def name(self) -> str:
        user = self.membership.user
        return user.get_full_name() or user.email

    @property
    def needs_chasing(self) -> bool:
        return any(cell and cell.status not in Status.UP_TO_DATE for cell in self.cells)


def matrix_lines(*, matrix: ComplianceMatrix, filters: MatrixFilters) -> list[MatrixLine]:
    """The matrix's people, filtered and sorted as asked, each with one cell per column."""
    columns = [
        r for r in matrix.requirements if not filters.course or r.course.slug == filters.course
    ]
    needle = filters.q.strip().lower()
    lines = []
    for membership in matrix.memberships:
        if filters.role and membership.role != filters.role:
            continue
        if filters.category and membership.staff_category != filters.category:
            continue
        user = membership.user
        if needle and needle not in f"{user.first_name} {user.last_name} {user.email}".lower():
            continue
        own = matrix.by_membership.get(membership.pk, {})
        cells = [own.get(r.pk) for r in columns]
        if filters.status and not any(c and c.status == filters.status for c in cells):
            continue
        if filters.course and not any(cells):
            continue
        lines.append(MatrixLine(membership, cells))

    def urgency(line):
        ranks = [Status.URGENCY.index(c.status) for c in line.cells if c]
        return min(ranks, default=len(Status.URGENCY))

    def next_due(line):
        dates = [c.due_on for c in line.cells if c and c.due_on]
        return min(dates, default=date.max)

    def by_name(line):
        user = line.membership.user
        return (user.last_name.lower(), user.first_name.lower(), line.membership.pk)

    if filters.sort == "-name":
        lines.sort(key=by_name, reverse=True)
    elif filters.sort == "urgency":
        lines.sort(key=lambda line: (urgency(line), by_name(line)))
    elif filters.sort == "due":
        lines.sort(key=lambda line: (next_due(line), by_name(line)))
    else:
        lines.sort(key=by_name)
    return lines


@dataclass
class RequirementSummary:
    requirement: Requirement
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def up_to_date(self) -> int:
        return sum(n for status, n in self.counts.items() if status in Status.UP_TO_DATE)

    @property
    def percent_up_to_date(self) -> int | None:
        return round(100 * self.up_to_date / self.total) if self.total else None

    @property
    def segments(self) -> list[dict]:
        """Bar segments for the server-rendered SVG chart, in urgency order, 0–100 wide."""
        segments, x = [], 0.0
        for status in reversed(Status.URGENCY):
            count = self.counts[status]
            if not count:
                continue
            width = 100 * count / self.total
            segments.append(
                {
                    "status": status,
                    "label": Status.LABELS[status],
                    "count": count,
                    "x": round(x, 3),
                    "width": round(width, 3),
                    "colour": Status.CHART_COLOURS[status],
                }
            )
            x += width
        return segments


def requirement_summaries(*, matrix: ComplianceMatrix) -> list[RequirementSummary]:
    summaries = {
        r.pk: RequirementSummary(r, dict.fromkeys(Status.URGENCY, 0)) for r in matrix.requirements
    }
    for row in matrix.rows:
        summaries[row.requirement.pk].counts[row.status] += 1
    return list(summaries.values())


@dataclass
class SchoolSummary:
    school: School
    staff: int
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def percent_up_to_date(self) -> int | None:
        done = sum(n for status, n in self.counts.items() if status in Status.UP_TO_DATE)
        return round(100 * done / self.total) if self.total else None


def trust_summary(*, trust, on: date) -> list[SchoolSummary]:
    """Every school in the trust side by side, from one pass of the compliance rules over
    all their staff: a fixed number of queries however many schools and people."""
    schools = list(trust.schools.order_by("name"))
    by_id = {s.pk: s for s in schools}
    memberships = list(
        Membership.objects.filter(school__in=schools)
        .active_on(on)
        .only("pk", "user_id", "school_id", "role", "staff_category", "started_on")
    )
    for membership in memberships:
        membership.school = by_id[membership.school_id]
    summaries = {s.pk: SchoolSummary(s, 0, dict.fromkeys(Status.URGENCY, 0)) for s in schools}
    for membership in memberships:
        summaries[membership.school_id].staff += 1
    for row in compliance_rows(memberships=memberships, on=on):
        summaries[row.membership.school_id].counts[row.status] += 1
    return list(summaries.values())


def trust_for_admin(*, user, slug: str):
    from cpd.models import Trust
    from cpd.permissions import can_view_trust

    trust = Trust.objects.filter(slug=slug).first()
    if trust is None or not can_view_trust(user, trust):
        raise Http404("No such trust.")
    return trust


def member_for_compliance(*, school: School, pk: int) -> Membership:
    """One person in a school the caller may already see; anyone else is a 404."""
    membership = (
        Membership.objects.for_school(school).select_related("user", "school").filter(pk=pk).first()
    )
    if membership is None:
        raise Http404("No such person in this school.")
    return membership


def school_year_start(on: date) -> date:
    """1 September of the school year that contains the date (England's school year)."""
    return date(on.year if on.month >= 9 else on.year - 1, 9, 1)


@dataclass
class CPDRecord:
    membership: Membership
    rows: list[ComplianceRow]
    certificates: list
    external_records: list
    acknowledgements: list
    minutes_this_year: int
    year_start: date


def cpd_record(*, membership: Membership, on: date) -> CPDRecord:
    """A person's whole CPD record: training status, every certificate they hold (from any
    school), external records and acknowledgements here, and CPD minutes this school year."""
    Certificate = apps.get_model("certificates", "Certificate")
    Acknowledgement = apps.get_model("courses", "Acknowledgement")
    ExternalRecord = apps.get_model("cpd", "ExternalRecord")
    certificates = list(
        Certificate.objects.filter(membership__user_id=membership.user_id).order_by(
            "-completed_on", "-pk"
        )
    )
    external = list(membership.external_records.select_related("satisfies_course"))
    acknowledgements = list(Acknowledgement.objects.filter(membership=membership))
    year_start = school_year_start(on)
    minutes = sum(
        c.cpd_minutes
        for c in certificates
        if c.status != Certificate.Status.REVOKED and year_start <= c.completed_on <= on
    ) + sum(
        r.minutes
        for r in external
        if r.status == ExternalRecord.Status.VERIFIED and year_start <= r.completed_on <= on
    )
    return CPDRecord(
        membership=membership,
        rows=compliance_rows(memberships=[membership], on=on),
        certificates=certificates,
        external_records=external,
        acknowledgements=acknowledgements,
        minutes_this_year=minutes,
        year_start=year_start,
    )


@dataclass
class QuestionGap:
    question_id: int
    prompt: str
    explanation: str
    answered: int
    wrong: int

    @property
    def percent_wrong(self) -> int:
        return round(100 * self.wrong / self.answered)


def knowledge_gaps(*, school: School, per_course: int = 5, minimum_answers: int = 3):
    """For each course, the questions this school's staff most often get wrong: one
    aggregate query over their submitted answers."""
    from django.db.models import Count

    Answer = apps.get_model("courses", "Answer")
    rows = (
        Answer.objects.filter(
            attempt__enrolment__membership__school=school, attempt__submitted_at__isnull=False
        )
        .values(
            "question_id",
            "question__prompt",
            "question__explanation",
            "question__version__course__title",
        )
        .annotate(answered=Count("pk"), wrong=Count("pk", filter=Q(correct=False)))
        .filter(answered__gte=minimum_answers, wrong__gt=0)
        .order_by("question__version__course__title", "-wrong", "question_id")
    )
    gaps: dict[str, list[QuestionGap]] = {}
    for row in rows:
        gap = QuestionGap(
            row["question_id"],
            row["question__prompt"],
            row["question__explanation"],
            row["answered"],
            row["wrong"],
        )
        gaps.setdefault(row["question__version__course__title"], []).append(gap)
    return {
        course: sorted(items, key=lambda g: (-g.wrong / g.answered, -g.wrong, g.question_id))[
            :per_course
        ]
        for course, items in gaps.items()
    }
