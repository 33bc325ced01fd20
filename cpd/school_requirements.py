"""A school's own training rules: which platform or trust requirements it overrides.

A school-level requirement for a course replaces the trust's and the platform's for that
course (see ``selectors.requirements_by_school``). Removing it puts the default back."""

from dataclasses import dataclass

from django.db import transaction
from django.http import Http404

from cpd.models import Requirement, School
from cpd.selectors import requirements_by_school
from cpd.services import audit_record, requirements_changed

OVERRIDABLE = (
    "renewal_months", "induction_days", "due_soon_days", "roles", "staff_categories",
    "bulletins_needed", "is_active",
)  # fmt: skip


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
    for line in school_rules(school=school):
        if line.requirement.course_id == course_id:
            return line
    raise Http404("No such requirement here.")


@transaction.atomic
def requirement_override(*, school: School, base: Requirement, actor, **fields) -> Requirement:
    """Create or change the school's own requirement for ``base``'s course."""
    own = Requirement.objects.filter(
        scope=Requirement.Scope.SCHOOL, school=school, course_id=base.course_id
    ).first()
    created = own is None
    if created:
        own = Requirement(
            name=base.name, scope=Requirement.Scope.SCHOOL, school=school, course=base.course
        )
        for name in OVERRIDABLE:
            setattr(own, name, getattr(base, name))
    before = {name: getattr(own, name) for name in OVERRIDABLE}
    for name, value in fields.items():
        if name not in OVERRIDABLE:
            raise ValueError(f"{name} cannot be overridden")
        setattr(own, name, value)
    own.full_clean()
    own.save()
    changed = {n: [before[n], getattr(own, n)] for n in OVERRIDABLE if before[n] != getattr(own, n)}
    audit_record(
        actor=actor,
        action="cpd.requirement.created" if created else "cpd.requirement.changed",
        target=own,
        school=school,
        data={"course": base.course.slug, "changed": changed},
    )
    if created or changed:
        requirements_changed(own)
    return own


@transaction.atomic
def requirement_override_remove(*, school: School, course_id: int, actor) -> None:
    own = Requirement.objects.filter(
        scope=Requirement.Scope.SCHOOL, school=school, course_id=course_id
    ).first()
    if own is None:
        raise Http404("This school has no rule of its own for that course.")
    audit_record(
        actor=actor,
        action="cpd.requirement.removed",
        target=own,
        school=school,
        data={"course": own.course.slug},
    )
    requirements_changed(own)
    own.delete()
