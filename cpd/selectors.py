"""Reads for the cpd app. Every school-scoped read starts from one of these."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.apps import apps
from django.db.models import Q, QuerySet
from django.http import Http404
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


@dataclass(frozen=True)
class ComplianceRow:
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
    course replaces the platform default for that course; a school's replaces both."""
    trust_ids = {s.trust_id for s in schools if s.trust_id}
    candidates = list(
        Requirement.objects.filter(is_active=True)
        .filter(
            Q(scope=Requirement.Scope.PLATFORM)
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
        resolved[school.pk] = [r for r in in_force if rank[r.scope] == most_specific[r.course_id]]
    return resolved


def _status(
    *, membership: Membership, requirement: Requirement, on: date, evidence, in_progress: bool
) -> ComplianceRow:
    """Apply the rules to one person and one requirement. ``evidence`` is the most recent
    (completed_on, expires_on, certificate_id) for the course, or None."""
    if evidence is not None:
        completed_on, expires_on, certificate_id = evidence
        if requirement.renewal_months:
            renew_on = add_months(completed_on, requirement.renewal_months)
            expires_on = min(expires_on, renew_on) if expires_on else renew_on
        if expires_on is None:
            status = Status.COMPLIANT
        elif on >= expires_on:
            status = Status.EXPIRED
        elif on >= expires_on - timedelta(days=requirement.due_soon_days):
            status = Status.DUE_SOON
        else:
            status = Status.COMPLIANT
        return ComplianceRow(
            membership, requirement, status, expires_on, expires_on, certificate_id
        )
    due_on = None
    if requirement.induction_days is not None:
        due_on = membership.started_on + timedelta(days=requirement.induction_days)
    if due_on is not None and on > due_on:
        status = Status.OVERDUE
    elif in_progress:
        status = Status.IN_PROGRESS
    elif due_on is not None:
        status = Status.INDUCTION_DUE
    else:
        status = Status.NOT_STARTED
    return ComplianceRow(membership, requirement, status, due_on)


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

    schools = list({m.school_id: m.school for m in memberships}.values())
    requirements = requirements_by_school(schools=schools)
    course_ids = {r.course_id for rs in requirements.values() for r in rs}
    user_ids = {m.user_id for m in memberships}

    evidence: dict[tuple[int, int], tuple] = {}

    def keep_latest(key, item):
        if key not in evidence or item[0] > evidence[key][0]:
            evidence[key] = item

    for user_id, course_id, completed_on, expires_on, pk in Certificate.objects.filter(
        membership__user_id__in=user_ids,
        course_id__in=course_ids,
        status=Certificate.Status.VALID,
        completed_on__lte=on,
    ).values_list("membership__user_id", "course_id", "completed_on", "expires_on", "pk"):
        keep_latest((user_id, course_id), (completed_on, expires_on, pk))

    external: dict[tuple[int, int], tuple] = {}
    for membership_id, course_id, completed_on in ExternalRecord.objects.filter(
        membership__in=[m.pk for m in memberships],
        satisfies_course_id__in=course_ids,
        status=ExternalRecord.Status.VERIFIED,
        completed_on__lte=on,
    ).values_list("membership_id", "satisfies_course_id", "completed_on"):
        key = (membership_id, course_id)
        if key not in external or completed_on > external[key][0]:
            external[key] = (completed_on, None, None)

    in_progress = set(
        Enrolment.objects.filter(
            membership__user_id__in=user_ids,
            course_version__course_id__in=course_ids,
            status=Enrolment.Status.IN_PROGRESS,
        ).values_list("membership__user_id", "course_version__course_id")
    )

    rows = []
    for membership in memberships:
        for requirement in requirements[membership.school_id]:
            if not requirement.applies_to(membership):
                continue
            found = evidence.get((membership.user_id, requirement.course_id))
            outside = external.get((membership.pk, requirement.course_id))
            if outside and (found is None or outside[0] > found[0]):
                found = outside
            rows.append(
                _status(
                    membership=membership,
                    requirement=requirement,
                    on=on,
                    evidence=found,
                    in_progress=(membership.user_id, requirement.course_id) in in_progress,
                )
            )
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
