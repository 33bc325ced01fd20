"""What the home page shows each person: their own next steps, and, for the schools they
lead, the school's headline and what needs doing there. Reads only; the page is
``cpd.compliance.views.home``."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from cpd.compliance.bulletins.selectors import bulletins_to_read
from cpd.compliance.engine import Status
from cpd.compliance.selectors import MyTraining, compliance_matrix, training_plan, trusts_of
from cpd.models import Bulletin, ExternalRecord, School, Trust
from cpd.permissions import ROLE_PERMISSIONS, Permission

#: The windows the to-do list counts people whose training runs out within, in days.
EXPIRY_WINDOWS = (30, 60, 90)


@dataclass
class SchoolToDo:
    """One school's headline and to-dos, for the people who lead it."""

    school: School
    staff: int
    fully_up_to_date: int
    overdue: int
    expiring: list[tuple[int, int]]  # (days, people whose training runs out within them)
    records_to_verify: int
    bulletins_unread: int  # the latest bulletin: current staff who have not confirmed it
    latest_bulletin: Bulletin | None = None


@dataclass
class Home:
    training: MyTraining
    bulletins: list[Bulletin]
    schools: list[SchoolToDo] = field(default_factory=list)
    trusts: list[Trust] = field(default_factory=list)

    @property
    def in_progress(self) -> list:
        return [
            item
            for item in [*self.training.required, *self.training.optional]
            if item.enrolment is not None and item.enrolment.status == "in_progress"
        ]


def school_to_do(*, school: School, on: date) -> SchoolToDo:
    """The school's headline (people fully up to date, out of its current staff) and its
    to-dos: people overdue or expired on anything, people whose training runs out within
    30, 60 and 90 days, records waiting for a decision, and how many current staff have not
    confirmed the latest bulletin. Counts people, not requirement rows."""
    matrix = compliance_matrix(school=school, on=on)
    overdue = set()
    not_up_to_date = set()
    runs_out: dict[int, date] = {}
    for row in matrix.rows:
        pk = row.membership.pk
        if row.status in (Status.OVERDUE, Status.EXPIRED):
            overdue.add(pk)
        if not row.up_to_date:
            not_up_to_date.add(pk)
        elif row.expires_on is not None:
            runs_out[pk] = min(runs_out.get(pk, date.max), row.expires_on)
    expiring = [
        (days, sum(1 for d in runs_out.values() if d <= on + timedelta(days=days)))
        for days in EXPIRY_WINDOWS
    ]
    latest = Bulletin.objects.for_school(school).order_by("-posted_at").first()
    unread = 0
    if latest is not None:
        confirmed = set(latest.reads.values_list("membership_id", flat=True))
        unread = sum(
            1
            for m in matrix.memberships
            if m.pk not in confirmed and m.user_id != latest.posted_by_id
        )
    return SchoolToDo(
        school=school,
        staff=len(matrix.memberships),
        fully_up_to_date=len(matrix.memberships) - len(not_up_to_date),
        overdue=len(overdue),
        expiring=expiring,
        records_to_verify=ExternalRecord.objects.for_school(school)
        .filter(status=ExternalRecord.Status.PENDING)
        .count(),
        bulletins_unread=unread,
        latest_bulletin=latest,
    )


def home_for(*, user, on: date) -> Home:
    """Everything the signed-in home page shows this person."""
    training = training_plan(user=user, on=on)
    leads = [
        m.school
        for m in training.memberships
        if Permission.VIEW_COMPLIANCE in ROLE_PERMISSIONS.get(m.role, frozenset())
    ]
    return Home(
        training=training,
        bulletins=list(bulletins_to_read(memberships=training.memberships)),
        schools=[school_to_do(school=school, on=on) for school in leads],
        trusts=list(trusts_of(user=user)),
    )
