import logging
from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cpd.audit.services import audit_record
from cpd.dates import school_today
from cpd.errors import Conflict
from cpd.models import Membership, School
from cpd.people.imports.invitations import staff_invitations_enqueue
from cpd.people.imports.planning import StaffImportPlan, staff_import_plan
from cpd.people.imports.reading import StaffFile, staff_file_read
from cpd.people.imports.rows import Problem, StaffImportError
from cpd.people.joining import membership_invitations_record
from cpd.people.services import (
    MembershipDetails,
    MembershipError,
    Person,
    memberships_create_many,
    memberships_leave_many,
    memberships_update_many,
    users_get_or_create,
)
from cpd.signals import compliance_changed_after_commit

logger = logging.getLogger(__name__)


def staff_file_apply(
    *,
    school: School,
    content: bytes = b"",
    filename: str = "",
    staff_file: StaffFile | None = None,
    full_sync: bool = False,
    confirm_leavers: bool = False,
    actor=None,
    on: date | None = None,
    expected_fingerprint: str | None = None,
) -> StaffImportPlan:
    """Apply a staff file: everything in one transaction, or nothing.

    The file is read here (or its rows come as ``staff_file``, as read when it was
    uploaded, kept on the server) and planned again, never taken from what a browser sent
    back.
    Refused, with nothing written: any row with a problem, and leavers proposed by full
    sync that are not confirmed (``StaffImportError``); a plan that differs from
    ``expected_fingerprint``, the preview the person saw (``Conflict``). New members get
    an invitation email after commit; one audit event records the import, even when
    nothing changed. Pages and the API go through ``staff_import_apply`` (in
    ``pending``), which keeps the file between the preview and this."""
    on = on or school_today(school)
    if staff_file is None:
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
                raise Conflict(
                    _(
                        "The school's staff list changed after the file was checked. "
                        "Check the changes again before importing them."
                    ),
                    code="stale_preview",
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
            invited = _write(plan=plan, school=school, actor=actor)
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
    except MembershipError as exc:  # the row checks should have caught it
        raise StaffImportError([Problem(None, None, str(exc))]) from exc
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


def _write(*, plan: StaffImportPlan, school: School, actor=None) -> list[int]:
    """Write a plan through the membership services. Returns the ids of new memberships
    whose people need an email: an invitation to set a password (a new account) or to
    accept (an account that already existed, which the school may not change)."""
    found: set[str] = set()
    users = users_get_or_create(
        people=[Person(row.email, row.first_name, row.last_name) for row in plan.adds],
        found=found,
    )
    created = memberships_create_many(
        school=school,
        members=[
            (
                users[row.email],
                MembershipDetails(
                    role=row.role,
                    staff_category=row.staff_category,
                    started_on=row.started_on,
                    job_title=row.job_title,
                    left_on=row.left_on,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    status=(
                        Membership.Status.INVITED
                        if row.email in found
                        else Membership.Status.JOINED
                    ),
                ),
            )
            for row in plan.adds
        ],
    )
    invited = [m for m in created if m.invited]
    if invited:
        membership_invitations_record(memberships=invited, actor=actor)
    existing = Membership.objects.select_related("user").in_bulk(
        [u.membership_id for u in plan.updates] + [p.membership_id for p in plan.leavers]
    )
    memberships_update_many(
        changes=[
            (
                existing[update.membership_id],
                {change.field: getattr(update.row, change.field) for change in update.changes},
            )
            for update in plan.updates
        ]
    )
    memberships_leave_many(
        leavers=[(existing[leaver.membership_id], leaver.left_on) for leaver in plan.leavers]
    )
    return [m.pk for m in created if m.invited or not m.user.has_usable_password()]
