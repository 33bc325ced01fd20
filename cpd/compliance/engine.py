"""The status engine: each person against each requirement that applies to them, on a date.

Three steps, each plain: read the requirements in force (one query), read the evidence
for the people concerned (a few set-based queries, the same whatever their number), and
apply the rule (:func:`cpd.compliance.standing.status_for`) to each person and
requirement. Dashboards, exports, reminders and the API all read :func:`compliance_rows`.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from django.db.models import Q
from django.utils import timezone

from certificates.models import Certificate
from courses.models import Enrolment
from cpd.arrangements.policies import PolicyEvidence, policy_evidence
from cpd.compliance.standing import (
    UP_TO_DATE,
    URGENCY,
    Evidence,
    PolicyRead,
    Standing,
    Status,
    Terms,
    bulletin_evidence,
    latest_evidence,
    policy_status_for,
    status_for,
)
from cpd.models import BulletinRead, ExternalRecord, Membership, Requirement, School

__all__ = [
    "UP_TO_DATE",
    "URGENCY",
    "ComplianceRow",
    "Member",
    "Status",
    "compliance_rows",
    "compliance_standings",
    "requirements_by_school",
]


@dataclass(slots=True)
class ComplianceRow:
    """One person against one requirement on a date. Not frozen, like the rule's values:
    tens of thousands are made for a trust, and a frozen one takes four times as long."""

    membership: Membership
    requirement: Requirement
    status: Status
    due_on: date | None = None
    expires_on: date | None = None
    certificate_id: int | None = None

    @property
    def label(self) -> str:
        return Status(self.status).label

    @property
    def up_to_date(self) -> bool:
        return self.status in UP_TO_DATE


@dataclass(slots=True)
class Member:
    """What the rules read of a membership. A :class:`Membership` has the same attributes
    and does wherever a Member is asked for; a Member is for reading many people as plain
    values (``Member(*row)`` for each row of ``values_list(*Member.COLUMNS)``), which costs
    about a quarter of making Membership instances."""

    pk: int
    user_id: int
    school_id: int
    role: str
    staff_category: str
    started_on: date

    COLUMNS = ("pk", "user_id", "school_id", "role", "staff_category", "started_on")


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


def _applies(requirement: Requirement, *, role: str, staff_category: str) -> bool:
    return (not requirement.roles or role in requirement.roles) and (
        not requirement.staff_categories or staff_category in requirement.staff_categories
    )


@dataclass
class EvidenceOnFile:
    """The evidence read for the people of some schools, keyed for lookup."""

    on: date
    # (user, course): the latest valid certificate. It is the person's, from any school.
    certificates: dict[tuple[int, int], Evidence] = field(default_factory=dict)
    # (membership, course): the latest verified external record, kept by that school.
    records: dict[tuple[int, int], Evidence] = field(default_factory=dict)
    # membership: the days they confirmed a bulletin, none after ``on``.
    bulletin_days: dict[int, list[date]] = field(default_factory=dict)
    # (user, course): an enrolment in progress, at any school.
    in_progress: set[tuple[int, int]] = field(default_factory=set)

    def best(self, member: Member, requirement: Requirement) -> Evidence | None:
        """The latest evidence for the requirement's course: a certificate, a verified
        record, or enough bulletins, preferred in that order on the same day."""
        course_id = requirement.course_id
        bulletins = None
        if requirement.bulletins_needed:
            bulletins = bulletin_evidence(
                self.bulletin_days.get(member.pk, []),
                needed=requirement.bulletins_needed,
                renewal_months=requirement.renewal_months,
                on=self.on,
            )
        return latest_evidence(
            self.certificates.get((member.user_id, course_id)),
            self.records.get((member.pk, course_id)),
            bulletins,
        )


def evidence_read(
    *, school_ids: Iterable[int], course_ids: Iterable[int], on: date, bulletins: bool
) -> EvidenceOnFile:
    """Everything on file for the people of these schools, for these courses, up to
    ``on``: three queries, four when a requirement accepts bulletins.

    One shape whatever the number of people asked about: everyone with a membership in
    the schools, chosen by subquery. That is a superset of the people asked about,
    bounded by the schools' size and looked up by person afterwards; naming thousands of
    people in an IN list instead would cost more than it saves.

    The courses are kept here rather than named in the queries: given a course, SQLite
    (which keeps no statistics) starts from every certificate or enrolment of that course
    on the platform instead of from the people, 15 ms rather than 1 for one school, and
    more as the platform grows."""
    school_ids, course_ids = list(school_ids), set(course_ids)
    people = Membership.objects.filter(school_id__in=school_ids).values("user_id")
    found = EvidenceOnFile(on=on)

    # Oldest first, so that the latest certificate for a person and course is kept.
    for user_id, course_id, completed_on, expires_on, pk in (
        Certificate.objects.filter(
            membership__user_id__in=people,
            status=Certificate.Status.VALID,
            completed_on__lte=on,
        )
        .order_by("completed_on", "pk")
        .values_list("membership__user_id", "course_id", "completed_on", "expires_on", "pk")
    ):
        if course_id in course_ids:
            found.certificates[user_id, course_id] = Evidence(completed_on, expires_on, pk)

    for membership_id, course_id, completed_on in (
        ExternalRecord.objects.filter(
            membership__school_id__in=school_ids,
            satisfies_course__isnull=False,
            status=ExternalRecord.Status.VERIFIED,
            completed_on__lte=on,
        )
        .order_by("completed_on", "pk")
        .values_list("membership_id", "satisfies_course_id", "completed_on")
    ):
        if course_id in course_ids:
            found.records[membership_id, course_id] = Evidence(completed_on)

    if bulletins:
        days = defaultdict(list)
        for membership_id, at in BulletinRead.objects.filter(
            membership__school_id__in=school_ids
        ).values_list("membership_id", "at"):
            if (day := timezone.localdate(at)) <= on:
                days[membership_id].append(day)
        found.bulletin_days = dict(days)

    found.in_progress = {
        (user_id, course_id)
        for user_id, course_id in Enrolment.objects.filter(
            membership__user_id__in=people, status=Enrolment.Status.IN_PROGRESS
        )
        .order_by()
        .values_list("membership__user_id", "course_version__course_id")
        if course_id in course_ids
    }
    return found


def compliance_standings(
    *, schools: list[School], people: Sequence[Member | Membership], on: date
) -> Iterator[tuple[Member | Membership, Requirement, Standing]]:
    """Each person's standing against each requirement in force at their school that
    applies to their role and staff category. ``schools`` holds every person's school.
    A fixed number of queries, whatever the number of people: none for nobody."""
    if not people:
        return
    requirements = requirements_by_school(schools=schools)
    in_force = [r for rs in requirements.values() for r in rs]
    if not in_force:
        return
    evidence = evidence_read(
        school_ids=[s.pk for s in schools],
        course_ids={r.course_id for r in in_force if r.course_id},
        on=on,
        bulletins=any(r.bulletins_needed for r in in_force),
    )
    policies = (
        policy_evidence(schools=schools, on=on)
        if any(r.kind == Requirement.Kind.POLICIES for r in in_force)
        else None
    )

    @cache
    def concerning(
        school_id: int, role: str, staff_category: str
    ) -> list[tuple[Requirement, Terms]]:
        """The requirements (with their terms) for this school, role and category."""
        return [
            (r, Terms.of(r))
            for r in requirements[school_id]
            if _applies(r, role=role, staff_category=staff_category)
        ]

    for member in people:
        for requirement, terms in concerning(member.school_id, member.role, member.staff_category):
            if requirement.kind == Requirement.Kind.POLICIES:
                standing = _policy_standing(member, terms, policies, on)
                if standing is not None:
                    yield member, requirement, standing
                continue
            yield (
                member,
                requirement,
                status_for(
                    terms=terms,
                    evidence=evidence.best(member, requirement),
                    started_on=member.started_on,
                    in_progress=(member.user_id, requirement.course_id) in evidence.in_progress,
                    on=on,
                ),
            )


def _policy_standing(
    member: Member | Membership, terms: Terms, found: PolicyEvidence, on: date
) -> Standing | None:
    confirmed = found.confirmed.get(member.pk, {})
    before = found.policies_confirmed.get(member.pk, set())
    reads = [
        PolicyRead(
            version.effective_on,
            confirmed.get(version.pk),
            version.policy_id in before,
        )
        for version in found.versions.get(member.school_id, [])
    ]
    return policy_status_for(terms=terms, policies=reads, started_on=member.started_on, on=on)


def compliance_rows(*, memberships: list[Membership], on: date) -> list[ComplianceRow]:
    """The status of each membership against each requirement that applies to it, on a
    date. A certificate belongs to the person, so training done while at another school
    counts here too. Reads ``membership.school`` once per school: select it with them."""
    one_each = {m.school_id: m for m in memberships}
    schools = [m.school for m in one_each.values()]
    return [
        ComplianceRow(
            membership,
            requirement,
            standing.status,
            standing.due_on,
            standing.expires_on,
            standing.certificate_id,
        )
        for membership, requirement, standing in compliance_standings(
            schools=schools, people=memberships, on=on
        )
    ]
