import logging
from datetime import date

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from cpd.audit.services import audit_record
from cpd.models import Membership, School
from cpd.people.imports.invitations import staff_invitations_enqueue
from cpd.people.imports.planning import CHANGE_FIELDS, StaffImportPlan, staff_import_plan
from cpd.people.imports.reading import staff_file_read
from cpd.people.imports.rows import Problem, StaffImportError
from cpd.signals import compliance_changed_after_commit

logger = logging.getLogger(__name__)


def staff_import_apply(
    *,
    school: School,
    content: bytes,
    filename: str = "",
    full_sync: bool = False,
    confirm_leavers: bool = False,
    actor=None,
    on: date | None = None,
    expected_fingerprint: str | None = None,
) -> StaffImportPlan:
    """Apply a staff file: everything in one transaction, or nothing.

    The file is read and planned again here, never taken from what a browser sent back.
    Refused, with nothing written: any row with a problem; leavers proposed by full sync
    that are not confirmed; a plan that differs from ``expected_fingerprint`` (the preview
    the person saw). New members get an invitation email after commit; one audit event
    records the import, even when nothing changed."""
    on = on or timezone.localdate()
    staff_file = staff_file_read(content=content, filename=filename)
    if staff_file.problems:
        raise StaffImportError(staff_file.problems)
    try:
        with transaction.atomic():
            # One import at a time per school: the plan must not go stale while we write.
            School.objects.select_for_update().filter(pk=school.pk).first()
            plan = staff_import_plan(
                school=school, staff_file=staff_file, full_sync=full_sync, on=on, actor=actor
            )
            if expected_fingerprint is not None and plan.fingerprint != expected_fingerprint:
                raise StaffImportError(
                    [
                        Problem(
                            None,
                            None,
                            _(
                                "The school's staff list changed after the file was checked. "
                                "Check the file again before importing it."
                            ),
                        )
                    ]
                )
            if plan.leavers and not confirm_leavers:
                raise StaffImportError(
                    [
                        Problem(
                            None,
                            None,
                            _(
                                "%(count)d current members of staff are not in the file. "
                                "Confirm that they have left, or import without full sync."
                            )
                            % {"count": len(plan.leavers)},
                        )
                    ]
                )
            invited = _write(plan=plan, school=school, on=on)
            audit_record(
                actor=actor,
                action="cpd.staff.imported",
                target=school,
                school=school,
                data={
                    "filename": filename[:200],
                    "sha256": staff_file.sha256,
                    "full_sync": full_sync,
                    "added": [r.email for r in plan.adds],
                    "updated": {u.row.email: [c.field for c in u.changes] for u in plan.updates},
                    "left": [p.email for p in plan.leavers],
                    "unchanged": len(plan.unchanged),
                },
            )
            if invited:
                transaction.on_commit(lambda: staff_invitations_enqueue(invited))
            if plan.adds or plan.updates or plan.leavers:
                compliance_changed_after_commit(
                    sender=Membership, reason="staff_imported", school_ids=[school.pk]
                )
    except IntegrityError as exc:
        logger.warning("Staff import for %s refused by the database: %s", school.slug, exc)
        raise StaffImportError(
            [
                Problem(
                    None,
                    None,
                    _(
                        "The import could not be saved because someone else changed the same "
                        "people at the same time. Check the file again."
                    ),
                )
            ]
        ) from exc
    return plan


def _write(*, plan: StaffImportPlan, school: School, on: date) -> list[int]:
    """Write a plan. Returns the ids of new memberships whose people need an invitation."""
    User = get_user_model()
    emails = [row.email for row in plan.adds]
    users = {}
    for user in User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails):
        users.setdefault(user.email_lower, user)
    new_users = []
    for row in plan.adds:
        if row.email in users:
            continue
        user = User(
            **{User.USERNAME_FIELD: row.email},
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
        )
        user.set_unusable_password()
        new_users.append(user)
        users[row.email] = user
    User.objects.bulk_create(new_users, batch_size=500)
    memberships = Membership.objects.bulk_create(
        (
            Membership(
                user=users[row.email],
                school=school,
                role=row.role,
                staff_category=row.staff_category,
                job_title=row.job_title,
                started_on=row.started_on,
                left_on=row.left_on,
            )
            for row in plan.adds
        ),
        batch_size=500,
    )
    invited = [m.pk for m in memberships if not m.user.has_usable_password()]

    if plan.updates:
        by_id = Membership.objects.select_related("user").in_bulk(
            [u.membership_id for u in plan.updates]
        )
        changed_memberships, changed_users = [], []
        for update in plan.updates:
            membership = by_id[update.membership_id]
            user_changed = False
            for change in update.changes:
                owner = dict(CHANGE_FIELDS)[change.field]
                target = membership.user if owner == "user" else membership
                setattr(target, change.field, getattr(update.row, change.field))
                user_changed |= owner == "user"
            changed_memberships.append(membership)
            if user_changed:
                changed_users.append(membership.user)
        Membership.objects.bulk_update(
            changed_memberships,
            ["role", "staff_category", "job_title", "started_on", "left_on"],
            batch_size=500,
        )
        if changed_users:
            User.objects.bulk_update(changed_users, ["first_name", "last_name"], batch_size=500)

    for leaver in plan.leavers:
        Membership.objects.filter(pk=leaver.membership_id).update(left_on=leaver.left_on)
    return invited
