from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from cpd.audit.services import audit_record
from cpd.errors import Refused
from cpd.models import Membership, School
from cpd.signals import compliance_changed_after_commit

User = get_user_model()


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


class MembershipError(Refused):
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
