"""The status rules at their boundaries, table-driven, on fixed dates."""

from datetime import date

import pytest

from cpd.compliance.engine import compliance_rows
from cpd.models import ExternalRecord, Membership
from tests.factories import (
    CertificateFactory,
    CourseVersionFactory,
    MembershipFactory,
    RequirementFactory,
    SchoolFactory,
)

pytestmark = pytest.mark.django_db
ON = date(2026, 11, 27)


@pytest.fixture
def annual():
    """Renew every 12 months; due within 30 days of starting; due soon 30 days ahead."""
    version = CourseVersionFactory(validity_months=None)
    return RequirementFactory(
        course=version.course, renewal_months=12, induction_days=30, due_soon_days=30
    )


def certify(membership, requirement, completed_on, expires_on=None):
    return CertificateFactory(
        enrolment__membership=membership,
        enrolment__course_version=requirement.course.versions.get(),
        course=requirement.course,
        completed_on=completed_on,
        expires_on=expires_on,
    )


def statuses(memberships, on=ON):
    return [
        (row.membership.pk, row.requirement.pk, row.status, row.due_on)
        for row in compliance_rows(memberships=memberships, on=on)
    ]


@pytest.mark.parametrize(
    ("started_on", "completed_on", "expected", "due_on"),
    [
        # joined yesterday: in induction, due 30 days after starting
        (date(2026, 11, 26), None, "induction_due", date(2026, 12, 26)),
        # due today: still in induction until the day has passed
        (date(2026, 10, 28), None, "induction_due", date(2026, 11, 27)),
        # due yesterday: overdue
        (date(2026, 10, 27), None, "overdue", date(2026, 11, 26)),
        # expires tomorrow: due soon
        (date(2020, 1, 1), date(2025, 11, 28), "due_soon", date(2026, 11, 28)),
        # expires in 31 days: outside the window, up to date
        (date(2020, 1, 1), date(2025, 12, 28), "compliant", date(2026, 12, 28)),
        # expires in exactly 30 days: inside the window
        (date(2020, 1, 1), date(2025, 12, 27), "due_soon", date(2026, 12, 27)),
        # expired today
        (date(2020, 1, 1), date(2025, 11, 27), "expired", date(2026, 11, 27)),
        # expired yesterday
        (date(2020, 1, 1), date(2025, 11, 26), "expired", date(2026, 11, 26)),
    ],
)
def test_status_boundaries(annual, started_on, completed_on, expected, due_on):
    membership = MembershipFactory(started_on=started_on)
    if completed_on:
        certify(membership, annual, completed_on)
    assert statuses([membership]) == [(membership.pk, annual.pk, expected, due_on)]


def test_status_renewed_early_counts_the_latest_certificate(annual):
    membership = MembershipFactory(started_on=date(2020, 1, 1))
    certify(membership, annual, date(2025, 12, 1))
    certify(membership, annual, date(2026, 11, 20))
    assert statuses([membership]) == [(membership.pk, annual.pk, "compliant", date(2027, 11, 20))]


def test_status_certificate_expiry_shorter_than_renewal_wins():
    version = CourseVersionFactory()
    requirement = RequirementFactory(course=version.course, renewal_months=36, due_soon_days=30)
    membership = MembershipFactory(started_on=date(2020, 1, 1))
    certify(membership, requirement, date(2025, 12, 1), expires_on=date(2026, 12, 1))
    assert statuses([membership]) == [
        (membership.pk, requirement.pk, "due_soon", date(2026, 12, 1))
    ]


def test_status_left_the_school_has_no_rows(annual):
    left = MembershipFactory(started_on=date(2020, 1, 1), left_on=date(2026, 11, 27))
    leaving = MembershipFactory(started_on=date(2020, 1, 1), left_on=date(2026, 11, 28))
    memberships = list(Membership.objects.active_on(ON).order_by("pk"))
    assert memberships == [leaving]
    assert [row[0] for row in statuses(memberships)] == [leaving.pk]
    assert left.pk not in [row[0] for row in statuses(memberships)]


def test_status_member_of_two_schools_counts_training_from_either(annual):
    first = MembershipFactory(started_on=date(2020, 1, 1))
    second = MembershipFactory(user=first.user, school=SchoolFactory(), started_on=date(2026, 9, 1))
    certify(first, annual, date(2026, 6, 1))
    assert statuses([first, second]) == [
        (first.pk, annual.pk, "compliant", date(2027, 6, 1)),
        (second.pk, annual.pk, "compliant", date(2027, 6, 1)),
    ]


def test_status_dsl_moved_back_to_staff_no_longer_needs_the_dsl_refresher(annual):
    version = CourseVersionFactory()
    refresher = RequirementFactory(
        course=version.course, roles=["dsl", "deputy_dsl"], renewal_months=24
    )
    membership = MembershipFactory(role=Membership.Role.DSL, started_on=date(2020, 1, 1))
    assert [row[1] for row in statuses([membership])] == [annual.pk, refresher.pk]
    membership.role = Membership.Role.STAFF
    membership.save()
    assert [row[1] for row in statuses([membership])] == [annual.pk]


@pytest.mark.parametrize(
    ("decision", "expected", "due_on"),
    [
        (ExternalRecord.Status.VERIFIED, "compliant", date(2027, 10, 1)),
        (ExternalRecord.Status.REJECTED, "overdue", date(2020, 1, 31)),
        (ExternalRecord.Status.PENDING, "overdue", date(2020, 1, 31)),
    ],
)
def test_status_external_record_counts_only_when_verified(annual, decision, expected, due_on):
    membership = MembershipFactory(started_on=date(2020, 1, 1))
    ExternalRecord.objects.create(
        membership=membership,
        title="Level 1 safeguarding",
        provider="County council",
        completed_on=date(2026, 10, 1),
        satisfies_course=annual.course,
        status=decision,
    )
    assert statuses([membership]) == [(membership.pk, annual.pk, expected, due_on)]


def test_status_in_progress_before_the_deadline(annual):
    from tests.factories import EnrolmentFactory

    membership = MembershipFactory(started_on=date(2026, 11, 20))
    EnrolmentFactory(membership=membership, course_version=annual.course.versions.get())
    assert statuses([membership]) == [(membership.pk, annual.pk, "in_progress", date(2026, 12, 20))]


def test_status_requirement_for_other_categories_does_not_apply():
    version = CourseVersionFactory()
    governors = RequirementFactory(course=version.course, staff_categories=["governor"])
    teacher = MembershipFactory(staff_category="teaching")
    governor = MembershipFactory(staff_category="governor", started_on=date(2020, 1, 1))
    assert statuses([teacher, governor]) == [(governor.pk, governors.pk, "not_started", None)]


def test_many_people_path_gives_the_same_statuses(annual, monkeypatch):
    """Above MANY_PEOPLE the selector filters by school rather than by named people; the
    answer must not change. Includes another school's member, who must not leak in."""
    from cpd.compliance import engine as selectors
    from tests.factories import EnrolmentFactory

    school = SchoolFactory()
    certified = MembershipFactory(school=school, started_on=date(2020, 1, 1))
    certify(certified, annual, date(2026, 6, 1))
    learning = MembershipFactory(school=school, started_on=date(2026, 11, 20))
    EnrolmentFactory(membership=learning, course_version=annual.course.versions.get())
    outside = MembershipFactory(school=school, started_on=date(2020, 1, 1))
    ExternalRecord.objects.create(
        membership=outside, title="t", provider="p", completed_on=date(2026, 3, 1),
        satisfies_course=annual.course, status=ExternalRecord.Status.VERIFIED,
    )  # fmt: skip
    elsewhere = MembershipFactory(started_on=date(2020, 1, 1))
    certify(elsewhere, annual, date(2026, 6, 1))
    people = [certified, learning, outside]
    expected = [
        (certified.pk, annual.pk, "compliant", date(2027, 6, 1)),
        (learning.pk, annual.pk, "in_progress", date(2026, 12, 20)),
        (outside.pk, annual.pk, "compliant", date(2027, 3, 1)),
    ]
    assert statuses(people) == expected
    monkeypatch.setattr(selectors, "MANY_PEOPLE", 0)
    assert statuses(people) == expected


@pytest.mark.parametrize("many", [False, True])
def test_a_certificate_for_a_course_nobody_requires_counts_for_nothing(annual, monkeypatch, many):
    """A few people's certificates are read whatever their course (see the selector), so
    the courses that count are kept in Python: a newer certificate for another course must
    not stand in for the required one, on either path."""
    from cpd.compliance import engine as selectors

    member = MembershipFactory(started_on=date(2020, 1, 1))
    certify(member, annual, date(2025, 6, 1))  # expired on 1 June 2026
    other = CourseVersionFactory(validity_months=None)
    CertificateFactory(
        enrolment__membership=member,
        enrolment__course_version=other,
        course=other.course,
        completed_on=date(2026, 11, 1),
    )
    if many:
        monkeypatch.setattr(selectors, "MANY_PEOPLE", 0)

    assert statuses([member]) == [(member.pk, annual.pk, "expired", date(2026, 6, 1))]
