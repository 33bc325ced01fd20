"""Every audited action writes exactly one event, with the right actor, target and school."""

from datetime import date

import pytest

from certificates.services import certificate_reissue, certificate_revoke
from cpd.compliance.evidence.selectors import ExportFilters
from cpd.compliance.evidence.services import export_request
from cpd.compliance.records.services import external_record_decide
from cpd.compliance.services import (
    requirement_create,
    requirement_override,
    requirement_override_remove,
)
from cpd.models import AuditEvent, ExternalRecord, Membership, Requirement
from cpd.people.services import membership_create, membership_leave
from tests.factories import (
    CertificateFactory,
    CourseFactory,
    MembershipFactory,
    RequirementFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor():
    return UserFactory(first_name="Helen")


def only_event(action):
    events = list(AuditEvent.objects.filter(action=action))
    assert len(events) == 1, (action, events)
    return events[0]


def assert_event(action, *, actor, target, school):
    event = only_event(action)
    assert (event.actor, event.target_type, event.target_id, event.school) == (
        actor, target._meta.label_lower, str(target.pk), school,
    )  # fmt: skip
    return event


def test_membership_created(actor, school):
    membership = membership_create(
        user=UserFactory(), school=school, role="staff", staff_category="support",
        started_on=date(2026, 9, 1), actor=actor,
    )  # fmt: skip
    event = assert_event("cpd.membership.created", actor=actor, target=membership, school=school)
    assert event.data == {"role": "staff", "staff_category": "support", "started_on": "2026-09-01"}


def test_membership_left(actor, staff):
    membership_leave(membership=staff, left_on=date(2026, 12, 19), actor=actor)
    membership_leave(membership=staff, left_on=date(2026, 12, 19), actor=actor)  # no change
    staff.refresh_from_db()
    assert_event("cpd.membership.left", actor=actor, target=staff, school=staff.school)


def test_requirement_created_changed_and_removed(actor, school):
    platform = requirement_create(
        actor=actor, name="Annual", scope="platform", course=CourseFactory(), renewal_months=12
    )
    assert_event("cpd.requirement.created", actor=actor, target=platform, school=None)
    own = requirement_override(school=school, base=platform, actor=actor, renewal_months=24)
    assert AuditEvent.objects.filter(action="cpd.requirement.created").count() == 2
    requirement_override(school=school, base=own, actor=actor, renewal_months=6)
    assert_event("cpd.requirement.changed", actor=actor, target=own, school=school)
    requirement_override_remove(school=school, course_id=own.course_id, actor=actor)
    assert only_event("cpd.requirement.removed").target_id == str(own.pk)
    assert not Requirement.objects.filter(scope="school").exists()


def test_certificate_revoked_and_reissued(actor, staff):
    # Only the school's DSLs, deputies and admins may correct a certificate.
    MembershipFactory(user=actor, school=staff.school, role=Membership.Role.DSL)
    first = CertificateFactory(enrolment__membership=staff)
    second = certificate_reissue(certificate=first, actor=actor, reason="Name corrected",
                                 holder_name="Sarah Thompson-Lee", notify=False,
                                 name_correction="Married name")  # fmt: skip
    assert_event(
        "certificates.certificate.reissued", actor=actor, target=second, school=staff.school
    )
    certificate_revoke(certificate=second, actor=actor, reason="Issued in error")
    assert_event(
        "certificates.certificate.revoked", actor=actor, target=second, school=staff.school
    )


@pytest.mark.parametrize("verified", [True, False])
def test_external_record_decision(actor, staff, verified):
    record = ExternalRecord.objects.create(
        membership=staff, title="t", provider="p", completed_on=date(2026, 1, 1)
    )
    external_record_decide(record=record, actor=actor, verified=verified)
    action = "cpd.external_record." + ("verified" if verified else "rejected")
    assert_event(action, actor=actor, target=record, school=staff.school)


def test_staff_import(actor, school):
    from cpd.people.imports.applying import staff_file_apply

    content = (
        b"email,first name,last name,role,staff category,start date\n"
        b"amy@oakwood.test,Amy,Ng,staff,teaching,2026-09-01\n"
    )
    staff_file_apply(school=school, content=content, filename="staff.csv", actor=actor)
    event = only_event("cpd.staff.imported")
    assert (event.actor, event.school) == (actor, school)
    assert Membership.objects.filter(school=school, user__email="amy@oakwood.test").exists()


def test_export_requested(actor, school, django_capture_on_commit_callbacks):
    export = export_request(school=school, actor=actor, filters=ExportFilters())
    assert_event("certificates.export.requested", actor=actor, target=export, school=school)


def test_requirement_pack_change_is_recorded(shipped_courses):
    from cpd.compliance.services import requirement_pack_load

    requirement_pack_load(name="kcsie")
    assert AuditEvent.objects.filter(action="cpd.requirement.created").count() == 4
    requirement_pack_load(name="wales")
    changed = AuditEvent.objects.filter(action="cpd.requirement.changed")
    assert [e.target_repr for e in changed] == ["Group A safeguarding (all staff)"]
    assert AuditEvent.objects.filter(action="cpd.requirement.deactivated").count() == 2


def test_no_api_endpoint_exposes_audit_events(client, db):
    from tests.factories import PASSWORD

    admin = MembershipFactory(role="school_admin")
    client.login(username=admin.user.email, password=PASSWORD)
    for method in ("get", "post", "delete", "patch"):
        response = getattr(client, method)("/api/v1/audit-events/1/")
        assert response.status_code == 404, method
        assert response["Content-Type"].startswith("application/json")
    RequirementFactory()
    assert AuditEvent.objects.count() == 0
