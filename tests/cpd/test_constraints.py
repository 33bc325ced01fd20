"""The rules that matter are enforced by the database, not only by the services."""

import pytest
from django.db import IntegrityError, transaction

from certificates.models import Certificate
from courses.models import Enrolment
from tests.factories import (
    CertificateFactory,
    CourseVersionFactory,
    EnrolmentFactory,
    MembershipFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_membership_duplicate_person_and_school_refused():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(user=membership.user, school=membership.school)


def test_membership_same_person_in_two_schools_allowed():
    user = UserFactory()
    first, second = (
        MembershipFactory(user=user),
        MembershipFactory(user=user, school=SchoolFactory()),
    )
    assert sorted(user.cpd_memberships.values_list("pk", flat=True)) == [first.pk, second.pk]


def test_enrolment_second_active_for_membership_and_version_refused():
    enrolment = EnrolmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrolmentFactory(membership=enrolment.membership, course_version=enrolment.course_version)


def test_enrolment_new_active_after_completion_allowed():
    enrolment = EnrolmentFactory(
        status=Enrolment.Status.COMPLETED, completed_at="2026-01-01T10:00Z"
    )
    again = EnrolmentFactory(
        membership=enrolment.membership, course_version=enrolment.course_version
    )
    assert again.status == Enrolment.Status.IN_PROGRESS


def test_enrolment_same_membership_other_version_allowed():
    enrolment = EnrolmentFactory()
    other = EnrolmentFactory(
        membership=enrolment.membership,
        course_version=CourseVersionFactory(course=enrolment.course_version.course, number=2),
    )
    assert other.course_version.number == 2


def test_certificate_second_valid_for_enrolment_refused():
    certificate = CertificateFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CertificateFactory(enrolment=certificate.enrolment)


def test_certificate_valid_beside_superseded_allowed():
    old = CertificateFactory(status=Certificate.Status.SUPERSEDED)
    new = CertificateFactory(enrolment=old.enrolment, supersedes=old)
    assert list(Certificate.objects.filter(enrolment=old.enrolment, status="valid")) == [new]


def test_certificate_duplicate_serial_refused():
    certificate = CertificateFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CertificateFactory(serial=certificate.serial)


def test_certificate_duplicate_verification_code_refused():
    certificate = CertificateFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CertificateFactory(verification_code=certificate.verification_code)


def test_membership_leaving_before_starting_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(started_on="2025-09-01", left_on="2025-08-31")
