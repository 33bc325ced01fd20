import pytest

from cpd.compliance.engine import requirements_by_school
from cpd.models import AuditEvent, Membership, Requirement
from tests.factories import (
    PASSWORD,
    CourseVersionFactory,
    MembershipFactory,
    RequirementFactory,
    TrustRoleFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def annual():
    version = CourseVersionFactory(course__title="Annual update")
    return RequirementFactory(
        name="Annual safeguarding update", course=version.course, renewal_months=12,
        induction_days=90, due_soon_days=30,
    )  # fmt: skip


@pytest.fixture
def head(school):
    return MembershipFactory(school=school, role=Membership.Role.SCHOOL_ADMIN)


def override_url(school, requirement):
    return f"/schools/{school.slug}/requirements/{requirement.course_id}/"


def test_school_admin_overrides_a_default_for_their_school_only(client, head, annual, other_school):
    client.login(username=head.user.email, password=PASSWORD)
    response = client.post(
        override_url(head.school, annual),
        {"renewal_months": "24", "induction_days": "30", "due_soon_days": "60",
         "staff_categories": ["teaching", "support"], "is_active": "on"},
    )  # fmt: skip
    assert response["Location"] == f"/schools/{head.school.slug}/requirements/"
    own = Requirement.objects.get(scope="school", school=head.school)
    assert (own.renewal_months, own.induction_days, own.due_soon_days, own.staff_categories) == (
        24, 30, 60, ["teaching", "support"],
    )  # fmt: skip
    resolved = requirements_by_school(schools=[head.school, other_school])
    assert resolved == {head.school.pk: [own], other_school.pk: [annual]}
    event = AuditEvent.objects.get(action="cpd.requirement.created")
    assert (event.actor, event.school, event.data["changed"]["renewal_months"]) == (
        head.user, head.school, [12, 24],
    )  # fmt: skip


def test_removing_the_override_restores_the_default(client, head, annual):
    RequirementFactory(
        name=annual.name, course=annual.course, scope="school", school=head.school, renewal_months=6
    )
    client.login(username=head.user.email, password=PASSWORD)
    client.post(f"/schools/{head.school.slug}/requirements/{annual.course_id}/reset/")
    assert requirements_by_school(schools=[head.school]) == {head.school.pk: [annual]}
    assert AuditEvent.objects.filter(action="cpd.requirement.removed").count() == 1


def test_switching_a_requirement_off_for_the_school(client, head, annual):
    client.login(username=head.user.email, password=PASSWORD)
    client.post(override_url(head.school, annual), {"due_soon_days": "30"})
    assert requirements_by_school(schools=[head.school]) == {head.school.pk: []}
    page = client.get(f"/schools/{head.school.slug}/requirements/").content.decode()
    assert "not required here" in page


def test_invalid_override_is_reported_and_changes_nothing(client, head, annual):
    client.login(username=head.user.email, password=PASSWORD)
    response = client.post(
        override_url(head.school, annual),
        {"renewal_months": "0", "due_soon_days": "", "bulletins_needed": "0"},
    )
    assert response.context["form"].errors == {
        "renewal_months": [
            "Enter how often it must be renewed as 1 month or more, or leave it empty."
        ],
        "due_soon_days": [
            "Enter how many days before it runs out to show it as due soon, like 30."
        ],
        # A field without its own message gets one that names it.
        "bulletins_needed": ["Bulletins that count as the update must be 1 or more."],
    }
    assert Requirement.objects.filter(scope="school").count() == 0


def test_dsl_can_read_the_rules_but_not_change_them(client, dsl, annual):
    client.login(username=dsl.user.email, password=PASSWORD)
    assert client.get(f"/schools/{dsl.school.slug}/requirements/").status_code == 200
    response = client.post(override_url(dsl.school, annual), {"due_soon_days": "5"})
    assert response.status_code == 403
    assert Requirement.objects.filter(scope="school").count() == 0


def test_trust_admin_can_change_a_schools_rules(client, trust, school, annual):
    admin = TrustRoleFactory(trust=trust)
    client.login(username=admin.user.email, password=PASSWORD)
    client.post(override_url(school, annual), {"due_soon_days": "14", "is_active": "on"})
    assert Requirement.objects.get(scope="school", school=school).due_soon_days == 14


def test_another_schools_rules_are_not_found(client, head, annual, other_school):
    client.login(username=head.user.email, password=PASSWORD)
    assert client.get(f"/schools/{other_school.slug}/requirements/").status_code == 404
    assert (
        client.post(override_url(other_school, annual), {"due_soon_days": "1"}).status_code == 404
    )
    assert (
        client.post(
            f"/schools/{other_school.slug}/requirements/{annual.course_id}/reset/"
        ).status_code
        == 404
    )
    assert Requirement.objects.filter(scope="school").count() == 0
