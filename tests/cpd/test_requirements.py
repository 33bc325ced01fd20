import pytest
from django.core.management import CommandError, call_command

from cpd.compliance.engine import requirements_by_school
from cpd.compliance.services import requirement_pack_load
from cpd.models import Requirement
from tests.factories import CourseFactory, RequirementFactory, SchoolFactory, TrustFactory

pytestmark = pytest.mark.django_db


def test_trust_and_school_rows_override_the_platform_default_for_their_course():
    trust = TrustFactory()
    in_trust, other_in_trust, alone = (
        SchoolFactory(trust=trust),
        SchoolFactory(trust=trust),
        SchoolFactory(),
    )
    annual, induction = CourseFactory(), CourseFactory()
    platform_annual = RequirementFactory(course=annual, renewal_months=12)
    platform_induction = RequirementFactory(course=induction, renewal_months=None)
    trust_annual = RequirementFactory(course=annual, scope="trust", trust=trust, renewal_months=24)
    school_annual = RequirementFactory(
        course=annual, scope="school", school=in_trust, renewal_months=6
    )
    resolved = requirements_by_school(schools=[in_trust, other_in_trust, alone])
    key = lambda rows: sorted(r.pk for r in rows)  # noqa: E731
    assert key(resolved[in_trust.pk]) == sorted([platform_induction.pk, school_annual.pk])
    assert key(resolved[other_in_trust.pk]) == sorted([platform_induction.pk, trust_annual.pk])
    assert key(resolved[alone.pk]) == sorted([platform_induction.pk, platform_annual.pk])


def test_inactive_requirement_is_ignored():
    RequirementFactory(is_active=False)
    school = SchoolFactory()
    assert requirements_by_school(schools=[school]) == {school.pk: []}


def test_requirement_scope_must_match_its_owner():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        RequirementFactory(scope="school", school=None)


@pytest.mark.parametrize(
    ("pack", "expected"),
    [
        (
            "kcsie",
            [
                (
                    "Annual safeguarding update",
                    "annual-safeguarding-update",
                    12,
                    90,
                    [],
                    ["teaching", "support", "volunteer", "contractor", "supply"],
                ),
                ("DSL refresher", "dsl-refresher", 24, 90, ["dsl", "deputy_dsl"], []),
                ("Read and confirm the school's policies", "school-policies", None, 14, [], []),
                ("Safeguarding induction", "safeguarding-induction", None, 14, [], []),
            ],
        ),
        (
            "wales",
            [
                ("Group A safeguarding (all staff)", "annual-safeguarding-update", 36, 90, [], []),
                ("Safeguarding induction", "safeguarding-induction", None, 14, [], []),
            ],
        ),
        (
            "us-mandated-reporter",
            [
                ("Mandated reporter training", "annual-safeguarding-update", 12, 42, [], []),
            ],
        ),
    ],
)
def test_rule_pack_loads_as_platform_defaults(shipped_courses, pack, expected):
    call_command("cpd_load_rules", pack)
    rows = [
        (r.name, r.topic, r.renewal_months, r.induction_days, r.roles, r.staff_categories)
        for r in Requirement.objects.filter(is_active=True).order_by("name")
    ]
    assert rows == expected


def test_rule_pack_switch_deactivates_the_previous_defaults(shipped_courses):
    requirement_pack_load(name="kcsie")
    requirement_pack_load(name="wales")
    assert sorted(Requirement.objects.filter(is_active=False).values_list("name", flat=True)) == [
        "DSL refresher",
        "Read and confirm the school's policies",
    ]
    requirement_pack_load(name="wales")
    assert Requirement.objects.count() == 4


def test_unknown_rule_pack_is_refused_with_the_available_names(db):
    with pytest.raises(
        CommandError,
        match=r"^No rule pack called 'scotland'\. Available: kcsie, us-mandated-reporter, wales\.$",
    ):
        call_command("cpd_load_rules", "scotland")
    assert Requirement.objects.count() == 0


@pytest.mark.parametrize(
    ("rows", "in_force"),
    [
        # (scope, is_active) rows for one course; which of them is in force in the school
        ([("platform", True)], [0]),
        ([("platform", False)], []),
        ([("platform", True), ("school", False)], []),  # the school switched it off
        ([("platform", True), ("trust", False)], []),  # the trust switched it off
        ([("platform", True), ("trust", False), ("school", True)], [2]),
        ([("platform", True), ("trust", True)], [1]),
        ([("platform", True), ("trust", True), ("school", True)], [2]),
        ([("platform", False), ("trust", True)], [1]),
    ],
)
def test_for_school_is_the_requirements_in_force_there(rows, in_force):
    """The manager's one scoping method agrees with the compliance engine, including a
    platform default the school or its trust has switched off."""
    trust = TrustFactory()
    school, neighbour = SchoolFactory(trust=trust), SchoolFactory(trust=TrustFactory())
    course = CourseFactory()
    made = [
        RequirementFactory(
            course=course,
            scope=scope,
            is_active=active,
            trust=trust if scope == "trust" else None,
            school=school if scope == "school" else None,
        )
        for scope, active in rows
    ]
    RequirementFactory(course=course, scope="school", school=neighbour)  # not this school's
    expected = [made[i].pk for i in in_force]
    assert list(Requirement.objects.for_school(school).values_list("pk", flat=True)) == expected
    assert [r.pk for r in requirements_by_school(schools=[school])[school.pk]] == expected
