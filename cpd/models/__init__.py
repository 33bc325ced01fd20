"""Every cpd model: the ground the other apps stand on (schools, people, audit), and the
records compliance reads (requirements, training done elsewhere, bulletins, reminders).
Nothing here imports ``courses`` or ``certificates``: foreign keys to them are strings."""

from cpd.models.accounts import SignInPolicy
from cpd.models.arrangements import (
    Arrangements,
    Policy,
    PolicyConfirmation,
    PolicyVersion,
    SafeguardingLead,
)
from cpd.models.audit import AuditEvent
from cpd.models.compliance import (
    Bulletin,
    BulletinRead,
    ExternalRecord,
    ReminderLog,
    Requirement,
    evidence_path,
)
from cpd.models.schools import Membership, School, Trust, TrustRole
from cpd.models.tokens import ApiToken

__all__ = [
    "ApiToken",
    "Arrangements",
    "AuditEvent",
    "Bulletin",
    "BulletinRead",
    "ExternalRecord",
    "Membership",
    "Policy",
    "PolicyConfirmation",
    "PolicyVersion",
    "ReminderLog",
    "Requirement",
    "SafeguardingLead",
    "School",
    "SignInPolicy",
    "Trust",
    "TrustRole",
    "evidence_path",
]
