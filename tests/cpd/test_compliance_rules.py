"""The status rules: the pure rule at every boundary and over many generated cases, then
the engine that applies it, table-driven, on fixed dates."""

import random
from datetime import date, timedelta

import pytest

from cpd.compliance.engine import compliance_rows
from cpd.compliance.standing import (
    URGENCY,
    Evidence,
    Standing,
    Status,
    Terms,
    bulletin_evidence,
    latest_evidence,
    status_for,
)
from cpd.dates import add_months
from cpd.models import ExternalRecord, Membership
from tests.factories import (
    CertificateFactory,
    CourseVersionFactory,
    EnrolmentFactory,
    MembershipFactory,
    RequirementFactory,
    SchoolFactory,
)

ON = date(2026, 11, 27)

# The pure rule, with no database (these tests may not touch it), at every boundary.
# Columns: renewal months, certificate expiry, due-soon days, induction days, start date,
# evidence date, in progress → on that date: status, due on, expires on. "-" is none.
RULE_TABLE = """
# renewal: completed 27 Nov 2025, renewed every 12 months, so it runs out on 27 Nov 2026
12 -          30 -  2020-01-01 2025-11-27 no  2026-11-26 due_soon      2026-11-27 2026-11-27
12 -          30 -  2020-01-01 2025-11-27 no  2026-11-27 expired       2026-11-27 2026-11-27
12 -          30 -  2020-01-01 2025-11-27 no  2026-11-28 expired       2026-11-27 2026-11-27
# renewal from 29 February: clamped to the month's end
12 -          0  -  2020-01-01 2024-02-29 no  2025-02-27 compliant     2025-02-28 2025-02-28
12 -          0  -  2020-01-01 2024-02-29 no  2025-02-28 expired       2025-02-28 2025-02-28
# expiry: the certificate's own, with no renewal period
-  2026-11-27 30 -  2020-01-01 2024-01-10 no  2026-11-26 due_soon      2026-11-27 2026-11-27
-  2026-11-27 30 -  2020-01-01 2024-01-10 no  2026-11-27 expired       2026-11-27 2026-11-27
-  2026-11-27 30 -  2020-01-01 2024-01-10 no  2026-11-28 expired       2026-11-27 2026-11-27
# earlier: the earlier of the certificate's expiry and the renewal date wins
36 2026-12-01 30 -  2020-01-01 2025-12-01 no  2026-11-27 due_soon      2026-12-01 2026-12-01
12 2027-12-01 30 -  2020-01-01 2025-12-01 no  2026-12-01 expired       2026-12-01 2026-12-01
# forever: neither renewal nor expiry
-  -          30 14 2020-01-01 2021-03-01 no  2099-01-01 compliant     -          -
# window: runs out 27 Dec 2026, and 30 days' warning starts on 27 Nov
12 -          30 -  2020-01-01 2025-12-27 no  2026-11-26 compliant     2026-12-27 2026-12-27
12 -          30 -  2020-01-01 2025-12-27 no  2026-11-27 due_soon      2026-12-27 2026-12-27
12 -          30 -  2020-01-01 2025-12-27 no  2026-11-28 due_soon      2026-12-27 2026-12-27
12 -          0  -  2020-01-01 2025-12-27 no  2026-12-26 compliant     2026-12-27 2026-12-27
# evidence: decides, whatever the induction deadline or an enrolment
12 -          30 14 2026-01-01 2026-06-01 yes 2026-11-27 compliant     2027-06-01 2027-06-01
12 -          30 14 2020-01-01 2025-06-01 yes 2026-11-27 expired       2026-06-01 2026-06-01
# induction: started 28 Oct 2026, 30 days, so due on 27 Nov 2026
12 -          30 30 2026-10-28 -          no  2026-11-26 induction_due 2026-11-27 -
12 -          30 30 2026-10-28 -          no  2026-11-27 induction_due 2026-11-27 -
12 -          30 30 2026-10-28 -          no  2026-11-28 overdue       2026-11-27 -
12 -          30 30 2026-10-28 -          yes 2026-11-26 in_progress   2026-11-27 -
12 -          30 30 2026-10-28 -          yes 2026-11-27 in_progress   2026-11-27 -
12 -          30 30 2026-10-28 -          yes 2026-11-28 overdue       2026-11-27 -
-  -          7  0  2026-11-27 -          no  2026-11-27 induction_due 2026-11-27 -
# nothing: no deadline and no evidence
12 -          30 -  2020-01-01 -          no  2026-11-27 not_started   -          -
12 -          30 -  2020-01-01 -          yes 2026-11-27 in_progress   -          -
"""


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _rule_cases():
    section = ""
    for line in RULE_TABLE.strip().splitlines():
        if line.startswith("#"):
            section, number = line[2:].split(":")[0], 0
            continue
        number += 1
        renewal, expiry, window, induction, started, completed, doing, on, *expected = [
            None if cell == "-" else cell for cell in line.split()
        ]
        status, due_on, expires_on = expected
        certificate_id = 41 if completed else None
        given = {
            "terms": Terms(renewal and int(renewal), induction and int(induction), int(window)),
            "evidence": completed and Evidence(_day(completed), _day(expiry), certificate_id),
            "started_on": _day(started),
            "in_progress": doing == "yes",
            "on": _day(on),
        }
        answer = Standing(Status(status), _day(due_on), _day(expires_on), certificate_id)
        yield pytest.param(given, answer, id=f"{section}-{number}-{status}")


@pytest.mark.parametrize(("given", "answer"), list(_rule_cases()))
def test_rule_table(given, answer):
    assert status_for(**given) == answer


def test_rule_table_covers_every_status():
    assert {case.values[1].status for case in _rule_cases()} == set(Status)


def _generated(seed=20261127, count=3000):
    """Random terms, people and evidence around fixed dates."""
    rng = random.Random(seed)
    for _ in range(count):
        on = ON + timedelta(days=rng.randint(-800, 800))
        completed = on - timedelta(days=rng.randint(0, 1500)) if rng.random() < 0.6 else None
        expiry = None
        if completed and rng.random() < 0.5:
            expiry = completed + timedelta(days=rng.randint(0, 1200))
        yield (
            Terms(
                rng.choice([None, 1, 6, 12, 24, 36]),
                rng.choice([None, 0, 14, 30, 90]),
                rng.choice([0, 7, 30, 60]),
            ),
            None if completed is None else Evidence(completed, expiry, rng.randint(1, 99)),
            on - timedelta(days=rng.randint(0, 400)),
            rng.random() < 0.3,
            on,
        )


def test_rule_properties_over_generated_cases():
    for terms, evidence, started_on, learning, on in _generated():
        given = {
            "terms": terms,
            "evidence": evidence,
            "started_on": started_on,
            "in_progress": learning,
        }
        standing = status_for(**given, on=on)
        if evidence is None:
            assert standing.status in {"overdue", "in_progress", "induction_due", "not_started"}
            assert standing.expires_on is None and standing.certificate_id is None
            deadline = terms.induction_days
            assert standing.due_on == (
                None if deadline is None else started_on + timedelta(days=deadline)
            )
            assert (standing.status == "overdue") == (deadline is not None and on > standing.due_on)
        else:
            assert standing.status in {"compliant", "due_soon", "expired"}
            assert standing.certificate_id == evidence.certificate_id
            assert standing.expires_on == standing.due_on
            ends_on = standing.expires_on
            if evidence.expires_on:
                assert ends_on <= evidence.expires_on
            if terms.renewal_months:
                assert ends_on <= add_months(evidence.completed_on, terms.renewal_months)
            assert (ends_on is None) == (not evidence.expires_on and not terms.renewal_months)
            assert (standing.status == "expired") == (ends_on is not None and on >= ends_on)
            if standing.status == "due_soon":
                assert ends_on - timedelta(days=terms.due_soon_days) <= on < ends_on
        # Time only makes things more urgent, and moves no dates.
        for days in (1, 7, 30, 365):
            later = status_for(**given, on=on + timedelta(days=days))
            assert URGENCY.index(later.status) <= URGENCY.index(standing.status)
            assert (later.due_on, later.expires_on) == (standing.due_on, standing.expires_on)


def test_rule_newer_evidence_never_makes_it_more_urgent():
    for terms, evidence, started_on, learning, on in _generated(seed=7):
        if evidence is None or evidence.expires_on is not None:
            continue
        given = {"terms": terms, "started_on": started_on, "in_progress": learning, "on": on}
        newer = Evidence(min(on, evidence.completed_on + timedelta(days=30)))
        before = status_for(**given, evidence=Evidence(evidence.completed_on))
        after = status_for(**given, evidence=newer)
        assert URGENCY.index(after.status) >= URGENCY.index(before.status)


@pytest.mark.parametrize(
    ("days", "needed", "renewal_months", "expected"),
    [
        # Two needed within 12 months of 27 Nov 2026: since 27 Nov 2025, exclusive.
        (["2026-01-10", "2026-09-01", "2026-11-20"], 2, 12, "2026-09-01"),
        (["2025-11-27", "2026-11-20"], 2, 12, None),  # the day the period starts: too old
        (["2025-11-28", "2026-11-20"], 2, 12, "2025-11-28"),  # the day after: counts
        (["2026-11-20"], 2, 12, None),
        (["2019-05-01", "2020-01-01"], 2, None, "2019-05-01"),  # no renewal: any age
        (["2026-11-20"], 0, 12, None),  # bulletins not accepted
    ],
)
def test_bulletin_evidence(days, needed, renewal_months, expected):
    days = [_day(day) for day in days]
    found = bulletin_evidence(days, needed=needed, renewal_months=renewal_months, on=ON)
    assert found == (expected and Evidence(_day(expected)))


def test_latest_evidence_prefers_the_newest_then_the_first_given():
    certificate = Evidence(date(2026, 3, 1), date(2027, 3, 1), 7)
    record = Evidence(date(2026, 3, 1))
    newer = Evidence(date(2026, 4, 1))
    assert latest_evidence(certificate, record) == certificate
    assert latest_evidence(record, certificate) == record
    assert latest_evidence(None, certificate, newer, None) == newer
    assert latest_evidence(None, None) is None


# The engine: the rule applied to people and their evidence in the database.


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


@pytest.mark.django_db
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


@pytest.mark.django_db
def test_status_renewed_early_counts_the_latest_certificate(annual):
    membership = MembershipFactory(started_on=date(2020, 1, 1))
    certify(membership, annual, date(2025, 12, 1))
    certify(membership, annual, date(2026, 11, 20))
    assert statuses([membership]) == [(membership.pk, annual.pk, "compliant", date(2027, 11, 20))]


@pytest.mark.django_db
def test_status_certificate_expiry_shorter_than_renewal_wins():
    version = CourseVersionFactory()
    requirement = RequirementFactory(course=version.course, renewal_months=36, due_soon_days=30)
    membership = MembershipFactory(started_on=date(2020, 1, 1))
    certify(membership, requirement, date(2025, 12, 1), expires_on=date(2026, 12, 1))
    assert statuses([membership]) == [
        (membership.pk, requirement.pk, "due_soon", date(2026, 12, 1))
    ]


@pytest.mark.django_db
def test_status_left_the_school_has_no_rows(annual):
    left = MembershipFactory(started_on=date(2020, 1, 1), left_on=date(2026, 11, 27))
    leaving = MembershipFactory(started_on=date(2020, 1, 1), left_on=date(2026, 11, 28))
    memberships = list(Membership.objects.active_on(ON).order_by("pk"))
    assert memberships == [leaving]
    assert [row[0] for row in statuses(memberships)] == [leaving.pk]
    assert left.pk not in [row[0] for row in statuses(memberships)]


@pytest.mark.django_db
def test_status_member_of_two_schools_counts_training_from_either(annual):
    first = MembershipFactory(started_on=date(2020, 1, 1))
    second = MembershipFactory(user=first.user, school=SchoolFactory(), started_on=date(2026, 9, 1))
    certify(first, annual, date(2026, 6, 1))
    assert statuses([first, second]) == [
        (first.pk, annual.pk, "compliant", date(2027, 6, 1)),
        (second.pk, annual.pk, "compliant", date(2027, 6, 1)),
    ]


@pytest.mark.django_db
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


@pytest.mark.django_db
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


@pytest.mark.django_db
def test_status_in_progress_before_the_deadline(annual):
    membership = MembershipFactory(started_on=date(2026, 11, 20))
    EnrolmentFactory(membership=membership, course_version=annual.course.versions.get())
    assert statuses([membership]) == [(membership.pk, annual.pk, "in_progress", date(2026, 12, 20))]


@pytest.mark.django_db
def test_status_requirement_for_other_categories_does_not_apply():
    version = CourseVersionFactory()
    governors = RequirementFactory(course=version.course, staff_categories=["governor"])
    teacher = MembershipFactory(staff_category="teaching")
    governor = MembershipFactory(staff_category="governor", started_on=date(2020, 1, 1))
    assert statuses([teacher, governor]) == [(governor.pk, governors.pk, "not_started", None)]
