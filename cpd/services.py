from datetime import date
from pathlib import Path

import yaml
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils.translation import gettext as _

from cpd.conf import cpd_settings
from cpd.models import AuditEvent, Membership, Requirement, School
from cpd.signals import compliance_changed_after_commit

User = get_user_model()


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model,
    school: School | None = None,
    data: dict | None = None,
) -> AuditEvent:
    """Append one audit event. Called by the service that made the change, inside its
    transaction, so the event exists exactly when the change does."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        school=school,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        data=data or {},
    )


def user_get_or_create(*, email: str, first_name: str, last_name: str):
    """The person with this email address (case-insensitive), created without a usable
    password if new. The username is the email address."""
    email = User.objects.normalize_email(email.strip()).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(
            **{User.USERNAME_FIELD: email},
            email=email,
            first_name=first_name,
            last_name=last_name,
        )
        user.set_unusable_password()
        user.save()
    return user


@transaction.atomic
def membership_create(
    *,
    user,
    school: School,
    role: str,
    staff_category: str,
    started_on: date,
    job_title: str = "",
    actor=None,
) -> Membership:
    membership = Membership.objects.create(
        user=user,
        school=school,
        role=role,
        staff_category=staff_category,
        job_title=job_title,
        started_on=started_on,
    )
    audit_record(
        actor=actor,
        action="cpd.membership.created",
        target=membership,
        school=school,
        data={"role": role, "staff_category": staff_category, "started_on": str(started_on)},
    )
    compliance_changed_after_commit(
        sender=Membership, reason="joined", user_ids=[user.pk], school_ids=[school.pk]
    )
    return membership


class MembershipError(Exception):
    """A change to a membership that the rules refuse; the message is shown as is."""


@transaction.atomic
def membership_leave(*, membership: Membership, left_on: date, actor=None) -> Membership:
    """Record that a person leaves (or left) the school on ``left_on``.

    From that date their requirements stop (the compliance selectors count only members
    active on a date), so do reminders, and they lose access to the school's pages
    (permissions only count members who have not left). Nothing is deleted: their
    enrolments, attempts, acknowledgements and certificates are kept as records. Marking
    the same date twice changes nothing and records nothing."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if left_on < membership.started_on:
        raise MembershipError(
            _("The leaving date must be on or after the start date, %(date)s.")
            % {"date": membership.started_on.isoformat()}
        )
    if membership.left_on == left_on:
        return membership
    previous = membership.left_on
    membership.left_on = left_on
    membership.save(update_fields=["left_on"])
    audit_record(
        actor=actor,
        action="cpd.membership.left",
        target=membership,
        school=membership.school,
        data={
            "left_on": left_on.isoformat(),
            "previous_left_on": previous.isoformat() if previous else None,
        },
    )
    compliance_changed_after_commit(
        sender=Membership,
        reason="left",
        user_ids=[membership.user_id],
        school_ids=[membership.school_id],
    )
    return membership


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
            "course": requirement.course.slug,
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
    """Make a shipped rule pack (cpd/rules/<name>.yaml) the platform defaults: its rows are
    created or updated by course, and platform defaults for other courses are switched off.
    Trust and school overrides are left alone. Courses not yet loaded are skipped."""
    from django.apps import apps

    Course = apps.get_model("courses", "Course")
    path = RULES_DIR / f"{name}.yaml"
    if not path.is_file():
        available = ", ".join(sorted(p.stem for p in RULES_DIR.glob("*.yaml")))
        raise ValueError(f"No rule pack called {name!r}. Available: {available}.")
    pack = yaml.safe_load(path.read_text(encoding="utf-8"))
    courses = {
        c.slug: c
        for c in Course.objects.filter(slug__in=[r["course"] for r in pack["requirements"]])
    }
    loaded = []
    for rule in pack["requirements"]:
        course = courses.get(rule["course"])
        if course is None:
            continue
        fields = {
            "name": rule["name"],
            "roles": rule.get("roles") or [],
            "staff_categories": rule.get("staff_categories") or [],
            "renewal_months": rule.get("renewal_months"),
            "induction_days": rule.get("induction_days"),
            "due_soon_days": rule.get("due_soon_days", cpd_settings.DUE_SOON_DAYS),
            "is_active": True,
        }
        requirement = Requirement.objects.filter(
            scope=Requirement.Scope.PLATFORM, course=course
        ).first()
        if requirement is None:
            requirement = requirement_create(
                actor=actor, scope=Requirement.Scope.PLATFORM, course=course, **fields
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
