"""``compliance_changed`` and ``course_completed``: sent after commit, once, with who and
where; never for a change that rolled back or changed nothing; a failing receiver never
undoes or fails the change."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from certificates.services import certificate_issue, certificate_revoke
from courses.models import Attempt, Enrolment
from courses.services import enrolment_complete, enrolment_start
from courses.signals import course_completed
from cpd.compliance.bulletins.services import bulletin_confirm, bulletin_post
from cpd.compliance.records.services import external_record_add, external_record_decide
from cpd.compliance.services import (
    requirement_create,
    requirement_override,
    requirement_override_remove,
    requirement_pack_load,
)
from cpd.models import BulletinRead, ExternalRecord, Membership, Requirement
from cpd.people.imports.applying import staff_file_apply
from cpd.people.services import membership_create, membership_leave
from cpd.signals import compliance_changed
from tests.factories import (
    CourseFactory,
    CourseVersionFactory,
    EnrolmentFactory,
    RequirementFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _listen(signal, calls):
    def receiver(sender, **kwargs):
        kwargs.pop("signal")
        calls.append((sender, kwargs))

    signal.connect(receiver, weak=False, dispatch_uid="test-listener")
    return receiver


@pytest.fixture
def heard():
    calls = []
    _listen(compliance_changed, calls)
    yield calls
    compliance_changed.disconnect(dispatch_uid="test-listener")


def _change(sender, reason, user_ids, school_ids):
    return (sender, {"reason": reason, "user_ids": user_ids, "school_ids": school_ids})


def test_enrolling_is_heard_for_the_person_everywhere(
    heard, staff, django_capture_on_commit_callbacks
):
    version = CourseVersionFactory()

    with django_capture_on_commit_callbacks(execute=True):
        enrolment_start(membership=staff, course_version=version)
        assert heard == []  # not before commit
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_start(membership=staff, course_version=version)  # already enrolled

    assert heard == [_change(Enrolment, "enrolled", [staff.user_id], None)]


def test_completing_a_course_is_heard_with_its_certificate(
    heard, staff, django_capture_on_commit_callbacks
):
    enrolment = EnrolmentFactory(membership=staff)
    attempt = Attempt.objects.create(
        enrolment=enrolment,
        number=1,
        served=[],
        started_at=timezone.now(),
        submitted_at=timezone.now(),
        score=90,
        passed=True,
    )
    completed = []
    _listen(course_completed, completed)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            certificate = enrolment_complete(enrolment=enrolment, attempt=attempt)
    finally:
        course_completed.disconnect(dispatch_uid="test-listener")

    assert completed == [(Enrolment, {"enrolment": enrolment, "attempt": attempt})]
    assert certificate.enrolment_id == enrolment.pk
    assert heard == [
        _change(type(certificate), "certificate_issued", [staff.user_id], None),
    ]


def test_revoking_is_heard_and_a_refused_revocation_is_not(
    heard, staff, dsl, django_capture_on_commit_callbacks
):
    enrolment = EnrolmentFactory(membership=staff, completed_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_issue(enrolment=enrolment, score=90, notify=False)
    heard.clear()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        certificate_revoke(certificate=certificate, actor=dsl.user, reason="  ")
    assert heard == []
    with django_capture_on_commit_callbacks(execute=True):
        certificate_revoke(certificate=certificate, actor=dsl.user, reason="Issued in error")

    assert heard == [_change(type(certificate), "certificate_revoked", [staff.user_id], None)]


def test_deciding_an_external_record_is_heard_in_its_school(
    heard, staff, dsl, django_capture_on_commit_callbacks
):
    record = external_record_add(
        membership=staff,
        actor=staff.user,
        title="Safer recruitment",
        provider="The local authority",
        completed_on=date(2026, 10, 1),
        minutes=180,
    )
    assert heard == []

    with django_capture_on_commit_callbacks(execute=True):
        external_record_decide(record=record, actor=dsl.user, verified=True)

    assert heard == [_change(ExternalRecord, "record_decided", [staff.user_id], [staff.school_id])]


def test_confirming_a_bulletin_is_heard_once(heard, staff, dsl, django_capture_on_commit_callbacks):
    bulletin = bulletin_post(school=staff.school, actor=dsl.user, title="Filtering", body="…")

    with django_capture_on_commit_callbacks(execute=True):
        bulletin_confirm(bulletin=bulletin, membership=staff)
    with django_capture_on_commit_callbacks(execute=True):
        bulletin_confirm(bulletin=bulletin, membership=staff)  # again: nothing new

    assert heard == [
        _change(BulletinRead, "bulletin_confirmed", [staff.user_id], [staff.school_id])
    ]


def test_joining_and_leaving_are_heard_and_a_repeated_leaving_date_is_not(
    heard, school, django_capture_on_commit_callbacks
):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        membership = membership_create(
            user=user,
            school=school,
            role="staff",
            staff_category="teaching",
            started_on=date(2026, 9, 1),
        )
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            membership_leave(membership=membership, left_on=date(2026, 12, 19))

    assert heard == [
        _change(Membership, "joined", [user.pk], [school.pk]),
        _change(Membership, "left", [user.pk], [school.pk]),
    ]


def test_a_staff_import_is_heard_for_its_school_unless_it_changed_nothing(
    heard, school, django_capture_on_commit_callbacks
):
    content = (
        b"email,first name,last name,role,staff category,start date\n"
        b"amy.patel@oakwood.test,Amy,Patel,staff,teaching,2024-09-01\n"
    )
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            staff_file_apply(school=school, content=content, on=date(2026, 3, 2))

    assert heard == [_change(Membership, "staff_imported", None, [school.pk])]


def test_requirements_are_heard_for_the_schools_they_reach(
    heard, school, django_capture_on_commit_callbacks
):
    sister = SchoolFactory(trust=school.trust)
    SchoolFactory()  # another trust's school: not reached
    course = CourseFactory()
    base = RequirementFactory(course=course)

    with django_capture_on_commit_callbacks(execute=True):
        requirement_create(
            name="Trust rule", scope=Requirement.Scope.TRUST, trust=school.trust, course=course
        )
    with django_capture_on_commit_callbacks(execute=True):
        requirement_override(school=school, base=base, actor=None, renewal_months=24)
    with django_capture_on_commit_callbacks(execute=True):
        requirement_override(school=school, base=base, actor=None, renewal_months=24)  # same
    with django_capture_on_commit_callbacks(execute=True):
        requirement_override_remove(school=school, course_id=course.pk, actor=None)

    assert heard == [
        _change(Requirement, "requirements_changed", None, sorted([school.pk, sister.pk])),
        _change(Requirement, "requirements_changed", None, [school.pk]),
        _change(Requirement, "requirements_changed", None, [school.pk]),
    ]


def test_a_rule_pack_is_heard_everywhere(
    heard, shipped_courses, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        requirement_pack_load(name="kcsie")
    with django_capture_on_commit_callbacks(execute=True):
        requirement_pack_load(name="kcsie")  # unchanged: nothing to hear

    # One for each of the pack's four requirements, everyone everywhere.
    assert Requirement.objects.filter(scope=Requirement.Scope.PLATFORM).count() == 4
    assert heard == [_change(Requirement, "requirements_changed", None, None)] * 4


def test_nothing_is_heard_when_the_change_rolls_back(
    heard, school, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        membership_create(
            user=UserFactory(),
            school=school,
            role="staff",
            staff_category="teaching",
            started_on=date(2026, 9, 1),
        )
        raise RuntimeError("the rest of the request failed")

    assert heard == []
    assert Membership.objects.count() == 0


def test_a_failing_receiver_neither_fails_nor_undoes_the_change(
    heard, school, django_capture_on_commit_callbacks, caplog
):
    def broken(sender, **kwargs):
        raise ValueError("the school's MIS is down")

    compliance_changed.connect(broken, weak=False, dispatch_uid="broken")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            membership = membership_create(
                user=UserFactory(),
                school=school,
                role="staff",
                staff_category="teaching",
                started_on=date(2026, 9, 1),
            )
    finally:
        compliance_changed.disconnect(dispatch_uid="broken")

    assert Membership.objects.filter(pk=membership.pk).exists()
    assert heard == [_change(Membership, "joined", [membership.user_id], [school.pk])]
    assert "the school's MIS is down" in caplog.text


def test_publishing_and_confirming_a_policy_is_heard(
    heard, school, staff, django_capture_on_commit_callbacks
):
    from datetime import date

    from cpd.arrangements.services import policy_confirm, policy_publish
    from cpd.models import PolicyConfirmation, PolicyVersion

    with django_capture_on_commit_callbacks(execute=True):
        version = policy_publish(
            actor=None, school=school, kind="behaviour", title="Behaviour", version="1",
            effective_on=date(2026, 9, 1), text="Be kind.",
        )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        policy_confirm(version=version, membership=staff)
        policy_confirm(version=version, membership=staff)  # again: nothing more to hear
    assert heard == [
        _change(PolicyVersion, "policy_published", None, [school.pk]),
        _change(PolicyConfirmation, "policy_confirmed", [staff.user_id], [school.pk]),
    ]
