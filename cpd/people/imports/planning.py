import hashlib
import json
from dataclasses import dataclass, field
from datetime import date

from cpd.models import Membership, School
from cpd.people.imports.reading import StaffFile
from cpd.people.imports.rows import COLUMN_LABELS, Problem, StaffRow
from cpd.people.services import MEMBERSHIP_FIELDS


def _show(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str

    @property
    def label(self) -> str:
        return COLUMN_LABELS[self.field]


@dataclass(frozen=True)
class PlannedUpdate:
    row: StaffRow
    membership_id: int
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class PlannedLeaver:
    membership_id: int
    email: str
    name: str
    left_on: date


@dataclass
class StaffImportPlan:
    school: School
    filename: str
    sha256: str
    full_sync: bool
    adds: list[StaffRow] = field(default_factory=list)
    updates: list[PlannedUpdate] = field(default_factory=list)
    unchanged: list[StaffRow] = field(default_factory=list)
    leavers: list[PlannedLeaver] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.adds or self.updates or self.leavers)

    @property
    def fingerprint(self) -> str:
        """A digest of what applying would do. Applying refuses if it no longer matches the
        preview the person confirmed (someone changed the staff list in between)."""
        payload = {
            "file": self.sha256,
            "adds": [r.email for r in self.adds],
            "updates": [
                [u.membership_id, [[c.field, c.old, c.new] for c in u.changes]]
                for u in self.updates
            ],
            "leavers": [[p.membership_id, p.left_on.isoformat()] for p in self.leavers],
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def as_dict(self) -> dict:
        return {
            "school": self.school.slug,
            "filename": self.filename,
            "sha256": self.sha256,
            "full_sync": self.full_sync,
            "fingerprint": self.fingerprint,
            "counts": {
                "adds": len(self.adds),
                "updates": len(self.updates),
                "unchanged": len(self.unchanged),
                "leavers": len(self.leavers),
                "errors": len(self.problems),
            },
            "adds": [r.as_dict() for r in self.adds],
            "updates": [
                {
                    "row": u.row.row,
                    "email": u.row.email,
                    "membership": u.membership_id,
                    "changes": [
                        {"field": c.field, "column": c.label, "old": c.old, "new": c.new}
                        for c in u.changes
                    ],
                }
                for u in self.updates
            ],
            "unchanged": [{"row": r.row, "email": r.email} for r in self.unchanged],
            "leavers": [
                {
                    "membership": p.membership_id,
                    "email": p.email,
                    "name": p.name,
                    "left_on": p.left_on.isoformat(),
                }
                for p in self.leavers
            ],
            "errors": [p.as_dict() for p in self.problems],
        }


def staff_import_plan(
    *, school: School, staff_file: StaffFile, full_sync: bool, on: date, actor=None
) -> StaffImportPlan:
    """What applying the file would do to the school's staff, in two queries. With
    ``full_sync``, current members missing from the file are proposed as leavers on ``on``
    (never the person importing, who would lock themselves out).

    Only this school's memberships are read: a row for an address the school does not
    have is an add, whether or not the address has an account elsewhere, so the preview
    says nothing about other schools' people; names are compared with the school's own
    names for the person, never the account's."""
    plan = StaffImportPlan(
        school=school,
        filename=staff_file.filename,
        sha256=staff_file.sha256,
        full_sync=full_sync,
        problems=list(staff_file.problems),
    )
    existing = {
        m.user.email.lower(): m
        for m in Membership.objects.for_school(school).select_related("user").order_by("pk")
    }
    for row in staff_file.rows:
        membership = existing.get(row.email)
        if membership is None:
            plan.adds.append(row)
            continue
        changes = []
        for name in MEMBERSHIP_FIELDS:
            old = getattr(membership, name)
            new = getattr(row, name)
            if old != new:
                changes.append(Change(name, _show(old), _show(new)))
        if changes:
            plan.updates.append(PlannedUpdate(row, membership.pk, tuple(changes)))
        else:
            plan.unchanged.append(row)
    if full_sync:
        listed = {row.email for row in staff_file.rows}
        actor_id = getattr(actor, "pk", None)
        for email, membership in existing.items():
            if email in listed or membership.user_id == actor_id:
                continue
            if membership.left_on is not None and membership.left_on <= on:
                continue
            plan.leavers.append(
                PlannedLeaver(
                    membership_id=membership.pk,
                    email=email,
                    name=membership.full_name or email,
                    left_on=max(on, membership.started_on),
                )
            )
    return plan
