"""What each audit event means, in words a DSL can read out to an inspector, and its details
formatted as labelled values rather than stored codes and dictionaries.

Every action the product records has a description here (``tests/cpd/test_audit.py`` reads
the source for ``action="..."`` and fails on one without); an action recorded by a host
project's own code is described from its code ("cpd.thing.done" → "Thing done")."""

from datetime import date, datetime

from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

DESCRIPTIONS = {
    "certificates.certificate.issued": _("Certificate issued"),
    "certificates.certificate.reissued": _("Certificate re-issued"),
    "certificates.certificate.revoked": _("Certificate revoked"),
    "certificates.export.requested": _("Evidence pack requested"),
    "certificates.export.built": _("Evidence pack built"),
    "certificates.export.failed": _("Evidence pack failed"),
    "certificates.export.deleted": _("Evidence pack deleted"),
    "certificates.export.downloaded": _("Evidence pack downloaded"),
    "courses.course_version.published": _("Course version published"),
    "cpd.api_token.created": _("API token created"),
    "cpd.api_token.revoked": _("API token revoked"),
    "cpd.arrangements.changed": _("Safeguarding arrangements changed"),
    "cpd.arrangements.lead_changed": _("DSL or deputy's contact details changed"),
    "cpd.bulletin.posted": _("Bulletin posted"),
    "cpd.compliance.overdue_reminded": _("Everyone overdue reminded"),
    "cpd.external_record.added": _("Training done elsewhere recorded"),
    "cpd.external_record.verified": _("Training done elsewhere verified"),
    "cpd.external_record.rejected": _("Training done elsewhere rejected"),
    "cpd.membership.created": _("Member of staff added"),
    "cpd.membership.updated": _("Member of staff's details changed"),
    "cpd.membership.left": _("Member of staff marked as leaving"),
    "cpd.membership.restored": _("Leaver restored as current staff"),
    "cpd.membership.nudged": _("Reminder sent"),
    "cpd.membership.invited_elsewhere": _("One of our staff was invited by another school"),
    "cpd.membership.invitation_accepted": _("Invitation accepted"),
    "cpd.membership.invitation_declined": _("Invitation declined"),
    "cpd.membership.joined_elsewhere": _("One of our staff joined another school"),
    "cpd.membership.declined_elsewhere": _("One of our staff declined another school's invitation"),
    "cpd.person.anonymised": _("Person anonymised"),
    "cpd.policy.published": _("Policy published"),
    "cpd.policy.confirmed": _("Policy read and confirmed"),
    "cpd.person.exported": _("Person's data exported"),
    "cpd.requirement.created": _("Training rule added"),
    "cpd.requirement.changed": _("Training rule changed"),
    "cpd.requirement.deactivated": _("Training rule switched off"),
    "cpd.requirement.removed": _("School's own training rule removed"),
    "cpd.staff.imported": _("Staff list imported"),
}

LABELS = {
    "already_reminded_today": _("Already reminded today"),
    "certificates": _("Certificates"),
    "changed": _("Changed"),
    "completed_on": _("Completed on"),
    "course": _("Course"),
    "error": _("Error"),
    "file": _("File"),
    "filters": _("Filters"),
    "hash": _("Content hash"),
    "expires_on": _("Expires on"),
    "left_on": _("Leaving date"),
    "name": _("Name"),
    "number": _("Version"),
    "reason": _("Reason"),
    "replaced": _("Replaced an earlier token"),
    "requirements": _("Training"),
    "role": _("Role"),
    "scope": _("Scope"),
    "score": _("Score"),
    "sent": _("Sent"),
    "serial": _("Serial number"),
    "sha256": _("SHA-256"),
    "staff_category": _("Staff category"),
    "started_on": _("Start date"),
    "supersedes": _("Replaces"),
    "title": _("Title"),
}


def describe(action: str) -> str:
    """The action in words: its description, else its code made readable."""
    if action in DESCRIPTIONS:
        return str(DESCRIPTIONS[action])
    words = action.rsplit(".", 2)[-2:]
    return " ".join(words).replace("_", " ").capitalize()


def _label(key: str) -> str:
    return str(LABELS.get(key, key.replace("_", " ").capitalize()))


CHANGES = {"cpd.membership.updated"}
"""Actions whose details are ``{field: [before, after]}``; elsewhere only ``changed`` is."""


def _change(value) -> str:
    if isinstance(value, list | tuple) and len(value) == 2:
        return f"{_value(value[0])} → {_value(value[1])}"
    return _value(value)


def _value(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime | date):
        return date_format(value, "j F Y")
    if isinstance(value, str) and len(value) == 10 and (day := _as_date(value)):
        return date_format(day, "j F Y")
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{_label(k)}: {_value(v)}" for k, v in value.items())
    return str(value)


def _as_date(text: str):
    try:
        return parse_date(text)
    except ValueError:
        return None


def details(action: str, data) -> list[tuple[str, str]]:
    """An event's stored details as (label, value) pairs, in the order stored. A change is
    shown "before → after"; dates as "3 March 2026"; lists joined."""
    if not isinstance(data, dict):
        return [(str(_("Details")), _value(data))]
    pairs = []
    for key, value in data.items():
        if action in CHANGES:
            pairs.append((_label(key), _change(value)))
        elif key == "changed" and isinstance(value, dict):
            pairs.extend((_label(k), _change(v)) for k, v in value.items())
        else:
            pairs.append((_label(key), _value(value)))
    return pairs
