"""Signals host projects and integrations can listen to. Sent after commit, robustly: an
exception in a receiver is logged and never undoes or fails what was saved.

compliance_changed
    Something that decides people's training status has changed: a certificate issued or
    revoked, an enrolment started, an external record decided, a bulletin confirmed, a
    member joining or leaving, a staff import, or the requirements. A receiver can refresh
    a cache, a dashboard or a school information system. sender: the model that changed;
    kwargs:

    ``reason``
        ``"certificate_issued"``, ``"certificate_revoked"``, ``"enrolled"``,
        ``"record_decided"``, ``"bulletin_confirmed"``, ``"joined"``, ``"updated"`` (a
        member's role, category or dates), ``"left"``, ``"staff_imported"``,
        ``"requirements_changed"``, ``"policy_published"`` (a version of a school's or
        trust's policy) or ``"policy_confirmed"``.
    ``user_ids``
        The people whose status may have changed, or ``None`` for everyone in
        ``school_ids``.
    ``school_ids``
        The schools where it may have changed, or ``None`` for every school those people
        belong to (a certificate counts in all of them). Both ``None``: everyone, everywhere.
"""

from django.db import transaction
from django.dispatch import Signal

compliance_changed = Signal()


def compliance_changed_after_commit(*, sender, reason: str, user_ids=None, school_ids=None) -> None:
    """Send ``compliance_changed`` once the current transaction commits (at once outside
    one); nothing is sent if it rolls back."""
    users = None if user_ids is None else sorted(set(user_ids))
    schools = None if school_ids is None else sorted(set(school_ids))
    transaction.on_commit(
        lambda: compliance_changed.send_robust(
            sender=sender, reason=reason, user_ids=users, school_ids=schools
        )
    )
