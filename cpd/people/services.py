"""People joining a school, changing and leaving: the one place where memberships are
written.

Each rule is written once, for many memberships at a time (a few queries however many),
so that a single change from a page or the API and a 5,000-row staff import go the same
way:

- ``users_get_or_create``: people by email address, new ones without a usable password.
- ``memberships_create_many``, ``memberships_update_many``, ``memberships_leave_many``:
  check the rules and write. They record no audit event and announce nothing, because a
  use case does that once for what it did: ``membership_create``, ``membership_update``
  and ``membership_leave`` record one event per person; the staff import records one for
  the whole file (``cpd.people.imports.applying``)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpd.audit.services import audit_record
from cpd.errors import NotAllowed, Refused
from cpd.models import Membership, School
from cpd.signals import compliance_changed_after_commit

User = get_user_model()

BATCH_SIZE = 500

#: Fields of a member of staff that a school records and changes, on their membership of
#: that school, in the order they are shown. The names are what the school calls the
#: person; the account's own name (``User.first_name``/``last_name``) is theirs alone, and
#: no school's change reaches it.
MEMBERSHIP_FIELDS = (
    "first_name",
    "last_name",
    "role",
    "staff_category",
    "job_title",
    "started_on",
    "left_on",
)

_ROLES = frozenset(Membership.Role.values)
_CATEGORIES = frozenset(Membership.StaffCategory.values)


class MembershipError(Refused):
    """A change to a membership that the rules refuse; the message is shown as is."""


@dataclass(frozen=True)
class Person:
    email: str
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True)
class MembershipDetails:
    """What a school records about one member of staff."""

    role: str
    staff_category: str
    started_on: date
    job_title: str = ""
    left_on: date | None = None
    first_name: str = ""
    last_name: str = ""
    #: ``Membership.Status.INVITED`` for an account that existed before the school added it.
    status: str = Membership.Status.JOINED


def _email_key(email: str) -> str:
    return User.objects.normalize_email(email.strip()).lower()


def _new_user(person: Person):
    """A person who signs in with their email address once they have set a password (the
    staff import's invitation asks them to)."""
    email = _email_key(person.email)
    user = User(
        **{User.USERNAME_FIELD: email},
        email=email,
        first_name=person.first_name,
        last_name=person.last_name,
    )
    user.set_unusable_password()
    return user


def _users_by_email(emails: Iterable[str]) -> dict:
    users: dict = {}
    found = (
        User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=list(emails))
        .order_by("pk")
    )
    for user in found:
        users.setdefault(user.email_lower, user)
    return users


def users_get_or_create(*, people: Sequence[Person], found: set | None = None) -> dict:
    """Everyone, keyed by email address in lower case: found whatever the case of their
    address, or created. People found are not renamed: they may belong to other schools.
    The email addresses of accounts that already existed are added to ``found``. Two
    queries however many."""
    users = _users_by_email(_email_key(p.email) for p in people)
    if found is not None:
        found.update(users)
    new_users = []
    for person in people:
        email = _email_key(person.email)
        if email not in users:
            users[email] = _new_user(person)
            new_users.append(users[email])
    User.objects.bulk_create(new_users, batch_size=BATCH_SIZE)
    return users


def _check(membership: Membership) -> None:
    if membership.role not in _ROLES:
        raise MembershipError(_('"%(value)s" is not a role.') % {"value": membership.role})
    if membership.staff_category not in _CATEGORIES:
        raise MembershipError(
            _('"%(value)s" is not a staff category.') % {"value": membership.staff_category}
        )
    if membership.left_on is not None and membership.left_on < membership.started_on:
        raise MembershipError(
            _("The leaving date must be on or after the start date, %(date)s.")
            % {"date": membership.started_on.isoformat()}
        )


def memberships_create_many(
    *, school: School, members: Sequence[tuple[object, MembershipDetails]]
) -> list[Membership]:
    """Add people to a school, all or none (``MembershipError`` names the first broken
    rule). Batched inserts; the caller records the audit event and announces the change."""
    memberships = [
        Membership(
            user=user,
            school=school,
            role=details.role,
            staff_category=details.staff_category,
            job_title=details.job_title,
            started_on=details.started_on,
            left_on=details.left_on,
            first_name=details.first_name,
            last_name=details.last_name,
            status=details.status,
        )
        for user, details in members
    ]
    for membership in memberships:
        _check(membership)
    return Membership.objects.bulk_create(memberships, batch_size=BATCH_SIZE)


def memberships_update_many(*, changes: Sequence[tuple[Membership, dict]]) -> list[Membership]:
    """Change memberships (``MEMBERSHIP_FIELDS``, the school's names for the person
    included), all or none. The person's account is never changed: a school renames
    the person only in its own records. Returns the memberships, as changed. Batched
    updates; the caller records the audit event and announces it."""
    for membership, values in changes:
        unknown = set(values) - set(MEMBERSHIP_FIELDS)
        if unknown:
            raise ValueError(f"Not a membership field: {', '.join(sorted(unknown))}")
        for name, value in values.items():
            setattr(membership, name, value)
        _check(membership)
    memberships = [membership for membership, _values in changes]
    Membership.objects.bulk_update(memberships, MEMBERSHIP_FIELDS, batch_size=BATCH_SIZE)
    return memberships


OWN_LEAVING = gettext_lazy(
    "You cannot mark yourself as leaving. Ask another DSL or the school's admin, "
    "or the trust's admin."
)


def leaving_date_check(*, membership: Membership, left_on: date, actor=None) -> None:
    """Refuse a leaving date before the person started, and (given the ``actor``) anyone
    marking themselves as leaving: the check the confirmation page makes before asking."""
    if actor is not None:
        _refuse_own(membership, actor, OWN_LEAVING)
    if left_on < membership.started_on:
        raise MembershipError(
            _("The leaving date must be on or after the start date, %(date)s.")
            % {"date": membership.started_on.isoformat()}
        )


def memberships_leave_many(
    *, leavers: Sequence[tuple[Membership, date]]
) -> list[tuple[Membership, date | None]]:
    """Record that people leave on the dates given, all or none: never before they
    started. Marking the date a membership already has changes nothing. Returns each
    changed membership with its previous leaving date. Batched updates; the caller
    records the audit event and announces it."""
    changed = []
    for membership, left_on in leavers:
        leaving_date_check(membership=membership, left_on=left_on)
        if membership.left_on != left_on:
            changed.append((membership, membership.left_on))
            membership.left_on = left_on
    Membership.objects.bulk_update([m for m, _p in changed], ["left_on"], batch_size=BATCH_SIZE)
    return changed


@transaction.atomic
def membership_create(
    *,
    user,
    school: School,
    role: str,
    staff_category: str,
    started_on: date,
    job_title: str = "",
    first_name: str | None = None,
    last_name: str | None = None,
    actor=None,
) -> Membership:
    """Add a person to a school. The school's names for them default to the account's."""
    details = MembershipDetails(
        role,
        staff_category,
        started_on,
        job_title,
        first_name=user.first_name if first_name is None else first_name,
        last_name=user.last_name if last_name is None else last_name,
    )
    [membership] = memberships_create_many(school=school, members=[(user, details)])
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


#: The fields that decide which training a person must do: nobody changes them on their own
#: membership (separation of duties).
REQUIREMENT_FIELDS = ("role", "staff_category", "started_on", "left_on")


def _refuse_own(membership: Membership, actor, message: str) -> None:
    """``NotAllowed`` if ``actor`` is the member: someone else in the school (its other
    DSLs or its admin, or its trust's admin) must do it."""
    if actor is not None and getattr(actor, "pk", None) == membership.user_id:
        raise NotAllowed(message)


def _shown(value) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


@transaction.atomic
def membership_update(*, membership: Membership, actor=None, **values) -> Membership:
    """Change one member of staff (any of ``MEMBERSHIP_FIELDS``). Values they already
    have are left alone; if nothing changes, nothing is recorded."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "school")
        .get(pk=membership.pk)
    )
    before = {name: getattr(membership, name, None) for name in values}
    changed = {name: value for name, value in values.items() if before[name] != value}
    if not changed:
        return membership
    if set(changed) & set(REQUIREMENT_FIELDS):
        _refuse_own(
            membership,
            actor,
            _(
                "You cannot change your own role, staff category or dates: they decide "
                "which training you must do. Ask another DSL or the school's admin."
            ),
        )
    memberships_update_many(changes=[(membership, changed)])
    audit_record(
        actor=actor,
        action="cpd.membership.updated",
        target=membership,
        school=membership.school,
        data={name: [_shown(before[name]), _shown(value)] for name, value in changed.items()},
    )
    compliance_changed_after_commit(
        sender=Membership,
        reason="updated",
        user_ids=[membership.user_id],
        school_ids=[membership.school_id],
    )
    return membership


@transaction.atomic
def membership_leave(*, membership: Membership, left_on: date, actor=None) -> Membership:
    """Record that a person leaves (or left) the school on ``left_on``.

    From that date their requirements stop (the compliance selectors count only members
    active on a date), so do reminders, and they lose access to the school's pages
    (permissions only count members who have not left). Nothing is deleted: their
    enrolments, attempts, acknowledgements and certificates are kept as records. Marking
    the same date twice changes nothing and records nothing. Nobody marks themselves as
    leaving (``NotAllowed``): another DSL, the school's admin or the trust's admin does."""
    _refuse_own(membership, actor, OWN_LEAVING)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    changed = memberships_leave_many(leavers=[(membership, left_on)])
    if not changed:
        return membership
    [(_membership, previous)] = changed
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
def membership_restore(*, membership: Membership, actor=None) -> Membership:
    """Undo a leaving date: the person is current staff again, their requirements and
    reminders resume and they can reach the school's pages. Restoring someone who has
    no leaving date changes nothing and records nothing."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    previous = membership.left_on
    if previous is None:
        return membership
    membership.left_on = None
    membership.save(update_fields=["left_on"])
    audit_record(
        actor=actor,
        action="cpd.membership.restored",
        target=membership,
        school=membership.school,
        data={"previous_left_on": previous.isoformat()},
    )
    compliance_changed_after_commit(
        sender=Membership,
        reason="restored",
        user_ids=[membership.user_id],
        school_ids=[membership.school_id],
    )
    return membership
