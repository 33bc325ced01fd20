"""The engine around the rule: one query shape for one person and for a trust, evidence
read per person whatever the school, and nothing read for anyone else."""

from datetime import date

import pytest

from cpd.compliance.engine import Member, compliance_rows, compliance_standings
from cpd.models import ExternalRecord, Membership
from tests.factories import (
    CertificateFactory,
    CourseVersionFactory,
    EnrolmentFactory,
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


def certify(membership, requirement, completed_on):
    return CertificateFactory(
        enrolment__membership=membership,
        enrolment__course_version=requirement.course.versions.get(),
        course=requirement.course,
        completed_on=completed_on,
        expires_on=None,
    )


def statuses(memberships, on=ON):
    return [
        (row.membership.pk, row.requirement.pk, row.status, row.due_on)
        for row in compliance_rows(memberships=memberships, on=on)
    ]


def test_status_a_whole_school_and_each_person_alone_get_the_same_answers(
    annual, django_assert_num_queries
):
    """One query shape for one person and for many: the same rows either way, in the same
    number of queries. A member's certificate from another school counts; another school's
    evidence for anyone else never leaks in."""
    school, other = SchoolFactory(), SchoolFactory()
    certified = MembershipFactory(school=school, started_on=date(2020, 1, 1))
    certify(certified, annual, date(2026, 6, 1))
    learning = MembershipFactory(school=school, started_on=date(2026, 11, 20))
    EnrolmentFactory(membership=learning, course_version=annual.course.versions.get())
    outside = MembershipFactory(school=school, started_on=date(2020, 1, 1))
    ExternalRecord.objects.create(
        membership=outside, title="t", provider="p", completed_on=date(2026, 3, 1),
        satisfies_course=annual.course, status=ExternalRecord.Status.VERIFIED,
    )  # fmt: skip
    moved = MembershipFactory(school=school, started_on=date(2020, 1, 1))
    certify(MembershipFactory(user=moved.user, school=other), annual, date(2026, 2, 1))
    waiting = [MembershipFactory(school=school, started_on=date(2020, 1, 1)) for _ in range(6)]
    # Another school's people, each with every kind of evidence: none of it is theirs.
    for stranger in [
        MembershipFactory(school=other, started_on=date(2020, 1, 1)) for _ in range(3)
    ]:
        certify(stranger, annual, date(2026, 6, 1))
        EnrolmentFactory(membership=stranger, course_version=annual.course.versions.get())
        ExternalRecord.objects.create(
            membership=stranger, title="t", provider="p", completed_on=date(2026, 3, 1),
            satisfies_course=annual.course, status=ExternalRecord.Status.VERIFIED,
        )  # fmt: skip
    everyone = list(
        Membership.objects.filter(school=school).select_related("school").order_by("pk")
    )

    with django_assert_num_queries(4):
        together = statuses(everyone)
    assert together == [
        (certified.pk, annual.pk, "compliant", date(2027, 6, 1)),
        (learning.pk, annual.pk, "in_progress", date(2026, 12, 20)),
        (outside.pk, annual.pk, "compliant", date(2027, 3, 1)),
        (moved.pk, annual.pk, "compliant", date(2027, 2, 1)),
    ] + [(m.pk, annual.pk, "overdue", date(2020, 1, 31)) for m in waiting]
    for membership in everyone:
        with django_assert_num_queries(4):
            alone = statuses([membership])
        assert alone == [row for row in together if row[0] == membership.pk]


def test_a_certificate_for_a_course_nobody_requires_counts_for_nothing(annual):
    """The people's certificates are read whatever their course (see the engine), so the
    courses that count are kept in Python: a newer certificate for another course must
    not stand in for the required one."""
    member = MembershipFactory(started_on=date(2020, 1, 1))
    certify(member, annual, date(2025, 6, 1))  # expired on 1 June 2026
    other = CourseVersionFactory(validity_months=None)
    CertificateFactory(
        enrolment__membership=member,
        enrolment__course_version=other,
        course=other.course,
        completed_on=date(2026, 11, 1),
    )

    assert statuses([member]) == [(member.pk, annual.pk, "expired", date(2026, 6, 1))]


def test_standings_of_plain_values_match_the_rows_of_memberships(annual):
    """The trust summary reads people as plain values, not memberships: same answers."""
    school = SchoolFactory()
    certify(MembershipFactory(school=school, started_on=date(2020, 1, 1)), annual, date(2026, 6, 1))
    MembershipFactory(school=school, started_on=date(2026, 11, 20))
    MembershipFactory(school=school, started_on=date(2020, 1, 1))
    memberships = list(Membership.objects.filter(school=school).order_by("pk"))
    people = [
        Member(*row)
        for row in Membership.objects.filter(school=school)
        .order_by("pk")
        .values_list(*Member.COLUMNS)
    ]
    standings = compliance_standings(schools=[school], people=people, on=ON)
    assert [(m.pk, r.pk, s.status, s.due_on) for m, r, s in standings] == statuses(memberships)
    assert [row[2] for row in statuses(memberships)] == ["compliant", "induction_due", "overdue"]
