"""Reads for the cpd app. Every school-scoped read starts from one of these."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from certificates.models import Certificate
from courses.models import Acknowledgement, Answer, Course, CourseVersion, Enrolment
from courses.selectors import published_courses
from cpd.arrangements.policies import confirmations_of
from cpd.compliance.engine import (
    URGENCY,
    ComplianceRow,
    Status,
    compliance_rows,
    requirements_by_school,
)
from cpd.dates import school_year_start
from cpd.errors import NotFound
from cpd.models import ExternalRecord, Membership, Requirement, School
from cpd.people.selectors import memberships_of


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
        counts = dict.fromkeys(URGENCY, 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts

    @property
    def percent_up_to_date(self) -> int | None:
        if not self.rows:
            return None
        return round(100 * sum(row.up_to_date for row in self.rows) / len(self.rows))


def compliance_matrix(*, school: School, on: date) -> ComplianceMatrix:
    """Every active member of the school against every requirement in force there."""
    memberships = list(
        Membership.objects.for_school(school)
        .active_on(on)
        .select_related("user", "school")
        .order_by("last_name", "first_name", "pk")
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


def trust_for_admin(*, user, slug: str):
    from cpd.models import Trust
    from cpd.permissions import can_view_trust

    trust = Trust.objects.filter(slug=slug).first()
    if trust is None or not can_view_trust(user, trust):
        raise NotFound(_("No such trust."))
    return trust


def trusts_of(*, user):
    """The trusts this person administers, by name."""
    from cpd.models import Trust, TrustRole

    return (
        Trust.objects.filter(roles__user=user, roles__role=TrustRole.Role.TRUST_ADMIN)
        .distinct()
        .order_by("name")
    )


def member_for_compliance(*, school: School, pk: int) -> Membership:
    """One person in a school the caller may already see; anyone else is a 404."""
    membership = (
        Membership.objects.for_school(school).select_related("user", "school").filter(pk=pk).first()
    )
    if membership is None:
        raise NotFound(_("No such person in this school."))
    return membership


@dataclass(frozen=True)
class TrainingElsewhere:
    """A certificate the person holds from another school: what this school may see of
    it, no more (no school, serial, score or file)."""

    course_title: str
    completed_on: date
    expires_on: date | None
    status: str
    status_label: str


@dataclass
class CPDRecord:
    membership: Membership
    rows: list[ComplianceRow]
    certificates: list
    external_records: list
    acknowledgements: list
    minutes_this_year: int
    year_start: date
    #: Certificates from the person's other schools, once they have joined this one.
    from_other_schools: list[TrainingElsewhere] = field(default_factory=list)
    policy_confirmations: list = field(default_factory=list)


def cpd_record(*, membership: Membership, on: date) -> CPDRecord:
    """A person's CPD record in this school: training status, certificates earned here,
    external records and acknowledgements here, and CPD minutes this school year. Once the
    person has joined (not while they are only invited), their certificates from other
    schools are listed as training from another school: course, dates and status only."""
    certificates = list(
        Certificate.objects.filter(membership=membership).order_by("-completed_on", "-pk")
    )
    elsewhere = []
    if not membership.invited:
        elsewhere = [
            TrainingElsewhere(
                course_title=c.course_title,
                completed_on=c.completed_on,
                expires_on=c.expires_on,
                status=c.status,
                status_label=c.get_status_display(),
            )
            for c in Certificate.objects.filter(membership__user_id=membership.user_id)
            .exclude(membership=membership)
            .order_by("-completed_on", "-pk")
        ]
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
        rows=[] if membership.invited else compliance_rows(memberships=[membership], on=on),
        certificates=certificates,
        external_records=external,
        acknowledgements=acknowledgements,
        minutes_this_year=minutes,
        year_start=year_start,
        from_other_schools=elsewhere,
        policy_confirmations=confirmations_of(memberships=[membership]),
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


@dataclass
class RuleLine:
    requirement: Requirement  # the one in force
    default: Requirement | None  # what applies without the school's own row


def school_rules(*, school: School) -> list[RuleLine]:
    """The requirements in force here, each with the default it may be overriding. Rows
    switched off by the school (is_active False) are listed too, so they can be restored."""
    in_force = requirements_by_school(schools=[school])[school.pk]
    own = {
        r.course_id: r
        for r in Requirement.objects.filter(
            scope=Requirement.Scope.SCHOOL, school=school
        ).select_related("course")
    }
    defaults = _defaults(school)
    lines = []
    seen = set()
    for requirement in in_force:
        seen.add(requirement.course_id)
        lines.append(RuleLine(requirement, defaults.get(requirement.course_id)))
    for course_id, requirement in own.items():
        if course_id not in seen:
            lines.append(RuleLine(requirement, defaults.get(course_id)))
    return sorted(lines, key=lambda line: line.requirement.name)


def _defaults(school: School) -> dict[int, Requirement]:
    rows = Requirement.objects.filter(is_active=True, scope=Requirement.Scope.PLATFORM)
    found = {r.course_id: r for r in rows.select_related("course")}
    if school.trust_id:
        for r in Requirement.objects.filter(
            is_active=True, scope=Requirement.Scope.TRUST, trust_id=school.trust_id
        ).select_related("course"):
            found[r.course_id] = r
    return found


def rule_for_course(*, school: School, course_id: int) -> RuleLine:
    """The rule for a course here; ``course_id`` 0 is the rule for the school's policies."""
    for line in school_rules(school=school):
        if line.requirement.topic_id == course_id:
            return line
    raise NotFound(_("No such requirement here."))


@dataclass
class TrainingItem:
    course: Course
    row: ComplianceRow | None
    enrolment: Enrolment | None
    lessons_done: int = 0
    lessons_total: int = 0
    # Someone in several schools sees each course once: the most urgent school's row above,
    # the other schools' rows for the same course here.
    other_rows: list[ComplianceRow] = field(default_factory=list)

    @property
    def urgency(self) -> int:
        return URGENCY.index(self.row.status) if self.row else len(URGENCY)

    @property
    def in_progress(self) -> bool:
        return self.enrolment is not None and self.enrolment.status == Enrolment.Status.IN_PROGRESS

    @property
    def renew_from(self) -> date | None:
        """The first day of the due-soon window, from which the next cycle can start."""
        if self.row is None or self.row.expires_on is None:
            return None
        return self.row.expires_on - timedelta(days=self.row.requirement.due_soon_days)

    @property
    def action(self) -> str | None:
        """What the person should do now: "continue" a course under way, "renew" training
        that is due soon or has run out, "start" one not done; None when it is done."""
        if self.in_progress:
            return "continue"
        if self.row is None:
            return None
        if self.row.status in (Status.DUE_SOON, Status.EXPIRED):
            return "renew"
        if self.row.status in (Status.OVERDUE, Status.NOT_STARTED, Status.INDUCTION_DUE):
            return "start"
        return None

    @property
    def percent_done(self) -> int:
        return round(100 * self.lessons_done / self.lessons_total) if self.lessons_total else 0


@dataclass
class MyTraining:
    memberships: list
    required: list[TrainingItem]
    optional: list[TrainingItem]
    # The "read and confirm the school's policies" rows, one per school that has one.
    policies: list[ComplianceRow] = field(default_factory=list)

    @property
    def several_schools(self) -> bool:
        return len(self.memberships) > 1


def training_plan(*, user, on: date) -> MyTraining:
    """Every course that applies to this person through any of their schools' requirements,
    most urgent first, and the other courses they may take. A fixed number of queries."""
    memberships = list(memberships_of(user=user, on=on))
    rows = compliance_rows(memberships=memberships, on=on)
    courses = {c.pk: c for c in published_courses()}
    enrolments = {}
    for enrolment in (
        Enrolment.objects.filter(membership__user=user)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("course_version")
        .annotate(
            lessons_done=Count("progress", filter=Q(progress__completed_at__isnull=False)),
        )
        .order_by("started_at")
    ):
        course_id = enrolment.course_version.course_id
        current = enrolments.get(course_id)
        if current is None or current.status != Enrolment.Status.IN_PROGRESS:
            enrolments[course_id] = enrolment
    lesson_totals = dict(
        CourseVersion.objects.filter(pk__in=[e.course_version_id for e in enrolments.values()])
        .annotate(total=Count("lessons"))
        .values_list("pk", "total")
    )

    def item(course, row=None):
        enrolment = enrolments.get(course.pk)
        return TrainingItem(
            course=course,
            row=row,
            enrolment=enrolment,
            lessons_done=getattr(enrolment, "lessons_done", 0),
            lessons_total=lesson_totals.get(getattr(enrolment, "course_version_id", None), 0),
        )

    by_course: dict[int, list[ComplianceRow]] = {}
    for row in rows:
        if row.requirement.course_id in courses:
            by_course.setdefault(row.requirement.course_id, []).append(row)
    required, seen = [], set(by_course)
    for course_id, course_rows in by_course.items():
        course_rows.sort(key=lambda r: (URGENCY.index(r.status), r.due_on or date.max))
        first = item(courses[course_id], course_rows[0])
        first.other_rows = course_rows[1:]
        required.append(first)
    required.sort(key=lambda i: (i.urgency, i.row.due_on or date.max, i.course.title))
    optional = [item(c) for pk, c in courses.items() if pk not in seen] if memberships else []
    policies = [row for row in rows if row.requirement.course_id is None]
    return MyTraining(
        memberships=memberships, required=required, optional=optional, policies=policies
    )
