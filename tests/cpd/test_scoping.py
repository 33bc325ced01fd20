"""Every school-owned model has one scoping method, ``for_school``: a second school's rows
must never come back from it."""

from datetime import date

import pytest

from certificates.models import Certificate, Export
from cpd.audit.services import audit_record
from cpd.models import AuditEvent, Bulletin, ExternalRecord, Membership, ReminderLog
from tests.factories import (
    CertificateFactory,
    MembershipFactory,
    RequirementFactory,
    SchoolFactory,
)

pytestmark = pytest.mark.django_db


def _one_of_each(school):
    member = MembershipFactory(school=school)
    return {
        Membership: member,
        Certificate: CertificateFactory(enrolment__membership=member),
        ExternalRecord: ExternalRecord.objects.create(
            membership=member, title="Elsewhere", provider="P", completed_on=date(2026, 1, 1)
        ),
        ReminderLog: ReminderLog.objects.create(
            membership=member,
            requirement=RequirementFactory(),
            kind="due_soon",
            due_on=date(2026, 1, 1),
        ),  # fmt: skip
        Bulletin: Bulletin.objects.create(school=school, title="t", body="b"),
        Export: Export.objects.create(school=school),
        AuditEvent: audit_record(actor=None, action="cpd.test", target=member, school=school),
    }


@pytest.mark.parametrize(
    "model", [Membership, Certificate, ExternalRecord, ReminderLog, Bulletin, Export, AuditEvent]
)
def test_for_school_returns_that_schools_rows_only(model):
    ours, theirs = SchoolFactory(), SchoolFactory()
    mine = _one_of_each(ours)[model]
    _one_of_each(theirs)
    assert list(model.objects.for_school(ours)) == [mine]
