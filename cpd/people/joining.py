"""Invitations to join a school, for people who already had an account.

A school that adds an address with an account (the person may be in another school)
makes an ``invited`` membership: the account is not changed, the school sees only what it
typed, and the membership counts for nothing until the person accepts it here. Every
step is recorded in the audit trail of the school that invited and of each school the
person already belongs to, since it touches both."""

from collections import defaultdict
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpd.audit.services import audit_record
from cpd.errors import NotFound
from cpd.models import Membership
from cpd.signals import compliance_changed_after_commit


def _other_memberships(memberships: Sequence[Membership]) -> dict[int, list[Membership]]:
    """For each membership, the person's memberships of their other schools that count
    today (joined, not left), keyed by user id. One query."""
    by_user: dict[int, list[Membership]] = defaultdict(list)
    found = (
        Membership.objects.filter(user_id__in={m.user_id for m in memberships})
        .current(timezone.localdate())
        .select_related("school")
        .order_by("pk")
    )
    for other in found:
        by_user[other.user_id].append(other)
    return by_user


def membership_invitations_record(*, memberships: Sequence[Membership], actor=None) -> None:
    """Record in each of the people's other schools that a school invited them. The
    inviting school records the import itself (``cpd.staff.imported``)."""
    others = _other_memberships(memberships)
    for membership in memberships:
        for other in others[membership.user_id]:
            if other.school_id == membership.school_id:
                continue
            audit_record(
                actor=actor,
                action="cpd.membership.invited_elsewhere",
                target=other,
                school=other.school,
                data={"school": membership.school.name, "membership": membership.pk},
            )


def _invitation(*, user, pk: int) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .select_related("school")
        .filter(pk=pk, user=user, status=Membership.Status.INVITED)
        .first()
    )
    if membership is None:
        raise NotFound(_("No such invitation."), code="invitation_not_found")
    return membership


def _record_in_other_schools(*, membership: Membership, user, action: str) -> None:
    for other in _other_memberships([membership])[user.pk]:
        if other.school_id != membership.school_id:
            audit_record(
                actor=user,
                action=action,
                target=other,
                school=other.school,
                data={"school": membership.school.name, "membership": membership.pk},
            )


@transaction.atomic
def membership_invitation_accept(*, user, pk: int) -> Membership:
    """The person accepts a school's invitation: from now on the membership counts, and
    the school sees their training from other schools as "training from another school".
    Anyone else's invitation, or one already answered, is ``NotFound``."""
    membership = _invitation(user=user, pk=pk)
    membership.status = Membership.Status.JOINED
    membership.save(update_fields=["status"])
    audit_record(
        actor=user,
        action="cpd.membership.invitation_accepted",
        target=membership,
        school=membership.school,
    )
    _record_in_other_schools(
        membership=membership, user=user, action="cpd.membership.joined_elsewhere"
    )
    compliance_changed_after_commit(
        sender=Membership,
        reason="joined",
        user_ids=[user.pk],
        school_ids=[membership.school_id],
    )
    return membership


@transaction.atomic
def membership_invitation_decline(*, user, pk: int) -> None:
    """The person declines: the invitation is deleted (nothing hangs from it yet) and the
    school's audit trail says so."""
    membership = _invitation(user=user, pk=pk)
    school = membership.school
    audit_record(
        actor=user,
        action="cpd.membership.invitation_declined",
        target=school,
        school=school,
        data={"email": membership.user.email, "name": membership.full_name},
    )
    _record_in_other_schools(
        membership=membership, user=user, action="cpd.membership.declined_elsewhere"
    )
    membership.delete()
