"""Changing which training is required: requirements, rule packs, and a school's own
overrides of the platform's or its trust's (a school-level requirement for a course
replaces the trust's and the platform's for that course, see
``engine.requirements_by_school``; removing it puts the default back)."""

from pathlib import Path

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from courses.models import Course
from courses.services import guidance_editions_save
from cpd.audit.services import audit_record
from cpd.conf import cpd_settings
from cpd.errors import NotFound
from cpd.models import Requirement, School
from cpd.signals import compliance_changed_after_commit


@transaction.atomic
def requirement_create(*, actor=None, **fields) -> Requirement:
    requirement = Requirement(**fields)
    requirement.full_clean()
    requirement.save()
    audit_record(
        actor=actor,
        action="cpd.requirement.created",
        target=requirement,
        school=requirement.school,
        data={
            "scope": requirement.scope,
            "course": requirement.topic,
            "renewal_months": requirement.renewal_months,
        },
    )
    requirements_changed(requirement)
    return requirement


def requirements_changed(requirement: Requirement) -> None:
    """Send ``compliance_changed`` for everyone a requirement's scope reaches."""
    if requirement.scope == Requirement.Scope.SCHOOL:
        school_ids = [requirement.school_id]
    elif requirement.scope == Requirement.Scope.TRUST:
        school_ids = list(
            School.objects.filter(trust_id=requirement.trust_id).values_list("pk", flat=True)
        )
    else:
        school_ids = None
    compliance_changed_after_commit(
        sender=Requirement, reason="requirements_changed", school_ids=school_ids
    )


RULES_DIR = Path(__file__).resolve().parent / "rules"


@transaction.atomic
def requirement_pack_load(*, name: str, actor=None) -> list[Requirement]:
    """Make a shipped rule pack (``cpd/compliance/rules/<name>.yaml``) the platform defaults:
    its rows are created or updated by course, and platform defaults for other courses are
    switched off. Trust and school overrides are left alone. Courses not yet loaded are
    skipped. The pack's guidance editions (``guidance``) are saved too: they say which
    edition is in force, so that a course reviewed against an older one shows "content
    review due"."""

    path = RULES_DIR / f"{name}.yaml"
    if not path.is_file():
        available = ", ".join(sorted(p.stem for p in RULES_DIR.glob("*.yaml")))
        raise ValueError(f"No rule pack called {name!r}. Available: {available}.")
    pack = yaml.safe_load(path.read_text(encoding="utf-8"))
    courses = {
        c.slug: c
        for c in Course.objects.filter(
            slug__in=[r["course"] for r in pack["requirements"] if r.get("course")]
        )
    }
    for guidance in pack.get("guidance") or []:
        guidance_editions_save(
            series=guidance["series"],
            editions=[(e["name"], e["in_force_from"]) for e in guidance["editions"]],
        )
    loaded = []
    for rule in pack["requirements"]:
        kind = rule.get("kind", Requirement.Kind.COURSE)
        course = courses.get(rule.get("course"))
        if kind == Requirement.Kind.COURSE and course is None:
            continue
        fields = {
            "name": rule["name"],
            "renewal_month": rule.get("renewal_month"),
            "roles": rule.get("roles") or [],
            "staff_categories": rule.get("staff_categories") or [],
            "renewal_months": rule.get("renewal_months"),
            "induction_days": rule.get("induction_days"),
            "due_soon_days": rule.get("due_soon_days", cpd_settings.DUE_SOON_DAYS),
            "is_active": True,
        }
        requirement = Requirement.objects.filter(
            scope=Requirement.Scope.PLATFORM, kind=kind, course=course
        ).first()
        if requirement is None:
            requirement = requirement_create(
                actor=actor, scope=Requirement.Scope.PLATFORM, kind=kind, course=course, **fields
            )
        elif any(getattr(requirement, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(requirement, key, value)
            requirement.save()
            audit_record(
                actor=actor, action="cpd.requirement.changed", target=requirement, data=fields
            )
            requirements_changed(requirement)
        loaded.append(requirement)
    for stale in Requirement.objects.filter(
        scope=Requirement.Scope.PLATFORM, is_active=True
    ).exclude(pk__in=[r.pk for r in loaded]):
        stale.is_active = False
        stale.save(update_fields=["is_active"])
        audit_record(actor=actor, action="cpd.requirement.deactivated", target=stale)
        requirements_changed(stale)
    return loaded


OVERRIDABLE = (
    "renewal_months", "induction_days", "due_soon_days", "roles", "staff_categories",
    "bulletins_needed", "is_active", "renewal_month",
)  # fmt: skip


@transaction.atomic
def requirement_override(*, school: School, base: Requirement, actor, **fields) -> Requirement:
    """Create or change the school's own requirement for ``base``'s course."""
    own = Requirement.objects.filter(
        scope=Requirement.Scope.SCHOOL, school=school, kind=base.kind, course_id=base.course_id
    ).first()
    created = own is None
    if created:
        own = Requirement(
            name=base.name,
            scope=Requirement.Scope.SCHOOL,
            school=school,
            kind=base.kind,
            course=base.course,
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
        data={"course": base.topic, "changed": changed},
    )
    if created or changed:
        requirements_changed(own)
    return own


@transaction.atomic
def requirement_override_remove(*, school: School, course_id: int, actor) -> None:
    """Remove the school's own rule for a course (``course_id`` 0: for its policies)."""
    own = Requirement.objects.filter(
        scope=Requirement.Scope.SCHOOL, school=school, course_id=course_id or None
    ).first()
    if own is None:
        raise NotFound(_("This school has no rule of its own for that course."))
    audit_record(
        actor=actor,
        action="cpd.requirement.removed",
        target=own,
        school=school,
        data={"course": own.topic},
    )
    requirements_changed(own)
    own.delete()
