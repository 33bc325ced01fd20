from dataclasses import dataclass
from datetime import date

from cpd.compliance.engine import UP_TO_DATE, URGENCY, Member, compliance_standings
from cpd.compliance.selectors import ComplianceMatrix
from cpd.models import Membership, Requirement, School


@dataclass(frozen=True)
class MatrixFilters:
    status: str = ""
    role: str = ""
    category: str = ""
    course: str = ""  # a course slug: only that requirement's column is considered
    worst: str = ""  # a status: people whose most urgent status is this one
    q: str = ""
    sort: str = "name"  # name | -name | urgency | due

    SORTS = ("name", "-name", "urgency", "due")


@dataclass
class MatrixLine:
    membership: Membership
    cells: list  # ComplianceRow | None, one per requirement column
    last_reminded: date | None = None
    labelled: list | None = None
    """(requirement, cell) pairs, for a table whose cells name their column."""

    @property
    def name(self) -> str:
        return self.membership.display_name

    @property
    def needs_chasing(self) -> bool:
        return any(cell and cell.status not in UP_TO_DATE for cell in self.cells)

    @property
    def worst(self):
        """The most urgent of this person's statuses, or None if nothing is required."""
        return worst_status(cell.status for cell in self.cells if cell)


def worst_status(statuses):
    return min(statuses, key=URGENCY.index, default=None)


def matrix_lines(*, matrix: ComplianceMatrix, filters: MatrixFilters) -> list[MatrixLine]:
    """The matrix's people, filtered and sorted as asked, each with one cell per column."""
    columns = [r for r in matrix.requirements if not filters.course or r.topic == filters.course]
    needle = filters.q.strip().lower()
    lines = []
    for membership in matrix.memberships:
        if filters.role and membership.role != filters.role:
            continue
        if filters.category and membership.staff_category != filters.category:
            continue
        known_as = f"{membership.first_name} {membership.last_name} {membership.user.email}"
        if needle and needle not in known_as.lower():
            continue
        own = matrix.by_membership.get(membership.pk, {})
        cells = [own.get(r.pk) for r in columns]
        if filters.status and not any(c and c.status == filters.status for c in cells):
            continue
        if filters.course and not any(cells):
            continue
        line = MatrixLine(membership, cells)
        if filters.worst and line.worst != filters.worst:
            continue
        lines.append(line)

    def urgency(line):
        ranks = [URGENCY.index(c.status) for c in line.cells if c]
        return min(ranks, default=len(URGENCY))

    def next_due(line):
        dates = [c.due_on for c in line.cells if c and c.due_on]
        return min(dates, default=date.max)

    def by_name(line):
        membership = line.membership
        return (membership.last_name.lower(), membership.first_name.lower(), membership.pk)

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
class PeopleSummary:
    """The dashboard's headline and tiles, counting people, not requirements: each member
    of staff who has any training required is counted once, under their most urgent
    status, so the tiles add up to the staff counted."""

    staff: int
    fully_up_to_date: int
    by_worst: dict

    @property
    def percent_fully_up_to_date(self) -> int | None:
        return round(100 * self.fully_up_to_date / self.staff) if self.staff else None


def people_summary(*, matrix: ComplianceMatrix) -> PeopleSummary:
    by_worst = dict.fromkeys(URGENCY, 0)
    staff = fully = 0
    for membership in matrix.memberships:
        own = matrix.by_membership.get(membership.pk, {})
        worst = worst_status(row.status for row in own.values())
        if worst is None:
            continue
        staff += 1
        by_worst[worst] += 1
        fully += all(row.status in UP_TO_DATE for row in own.values())
    return PeopleSummary(staff=staff, fully_up_to_date=fully, by_worst=by_worst)


@dataclass
class RequirementSummary:
    requirement: Requirement
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def up_to_date(self) -> int:
        return sum(n for status, n in self.counts.items() if status in UP_TO_DATE)

    @property
    def percent_up_to_date(self) -> int | None:
        return round(100 * self.up_to_date / self.total) if self.total else None

    GAP = 0.6
    """White space between two segments (of the bar's 100), so that neighbours never touch:
    each segment's fill has at least 3:1 contrast against white."""

    @property
    def segments(self) -> list[dict]:
        """Bar segments for the server-rendered SVG chart, in urgency order, 0–100 wide,
        with a gap between neighbours. The stylesheet fills each with its status's colour
        and pattern (``.status-<value>``), so that no two are told apart by colour alone."""
        segments, x = [], 0.0
        shown = [status for status in reversed(URGENCY) if self.counts[status]]
        for i, status in enumerate(shown):
            count = self.counts[status]
            width = 100 * count / self.total
            gap = self.GAP if i < len(shown) - 1 else 0
            segments.append(
                {
                    "status": status,
                    "label": status.label,
                    "count": count,
                    "x": round(x, 3),
                    "width": round(max(width - gap, 0.3), 3),
                }
            )
            x += width
        return segments


def requirement_summaries(*, matrix: ComplianceMatrix) -> list[RequirementSummary]:
    summaries = {
        r.pk: RequirementSummary(r, dict.fromkeys(URGENCY, 0)) for r in matrix.requirements
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
        done = sum(n for status, n in self.counts.items() if status in UP_TO_DATE)
        return round(100 * done / self.total) if self.total else None


def trust_summary(*, trust, on: date) -> list[SchoolSummary]:
    """Every school in the trust side by side, from one pass of the compliance rules over
    all their staff: a fixed number of queries however many schools and people. Only
    counts are needed, so the staff are read as plain values rather than as memberships."""
    schools = list(trust.schools.order_by("name"))
    people = [
        Member(*row)
        for row in Membership.objects.filter(school__in=schools)
        .active_on(on)
        .order_by()
        .values_list(*Member.COLUMNS)
    ]
    summaries = {s.pk: SchoolSummary(s, 0, dict.fromkeys(URGENCY, 0)) for s in schools}
    for member in people:
        summaries[member.school_id].staff += 1
    for member, _requirement, standing in compliance_standings(
        schools=schools, people=people, on=on
    ):
        summaries[member.school_id].counts[standing.status] += 1
    return list(summaries.values())
