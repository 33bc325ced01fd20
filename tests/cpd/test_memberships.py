"""The membership services: the rules a single change and the staff import share."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from cpd.models import AuditEvent, Membership
from cpd.people.services import (
    MembershipDetails,
    MembershipError,
    Person,
    membership_update,
    memberships_create_many,
    memberships_update_many,
    users_get_or_create,
)
from cpd.signals import compliance_changed
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_users_get_or_create_finds_people_by_any_case_and_creates_the_rest(
    django_assert_num_queries,
):
    amy = UserFactory(email="Amy.Patel@oakwood.test", first_name="Amelia")
    with django_assert_num_queries(2):
        users = users_get_or_create(
            people=[
                Person("amy.patel@OAKWOOD.test", "Amy", "Patel"),
                Person("ben.ward@oakwood.test", "Ben", "Ward"),
            ]
        )
    assert list(users) == ["amy.patel@oakwood.test", "ben.ward@oakwood.test"]
    assert users["amy.patel@oakwood.test"] == amy
    amy.refresh_from_db()
    assert amy.first_name == "Amelia"  # found, not renamed
    ben = User.objects.get(email="ben.ward@oakwood.test")
    assert (ben.get_username(), ben.first_name, ben.last_name, ben.has_usable_password()) == (
        "ben.ward@oakwood.test",
        "Ben",
        "Ward",
        False,
    )


def test_memberships_create_many_refuses_a_leaving_date_before_the_start(school):
    users = [UserFactory(), UserFactory()]
    good = MembershipDetails("staff", "teaching", date(2024, 9, 1))
    bad = MembershipDetails("staff", "teaching", date(2024, 9, 1), left_on=date(2024, 8, 31))
    with pytest.raises(MembershipError) as caught:
        memberships_create_many(school=school, members=[(users[0], good), (users[1], bad)])
    assert str(caught.value) == "The leaving date must be on or after the start date, 2024-09-01."
    assert Membership.objects.count() == 0


def test_memberships_update_many_refuses_an_unknown_role_and_writes_nothing(staff):
    staff = Membership.objects.select_related("user").get(pk=staff.pk)
    with pytest.raises(MembershipError) as caught:
        memberships_update_many(changes=[(staff, {"first_name": "Sally", "role": "head"})])
    assert str(caught.value) == '"head" is not a role.'
    staff.refresh_from_db()
    staff.user.refresh_from_db()
    assert (staff.user.first_name, staff.role) == ("Sarah", "staff")


def test_membership_update_changes_records_and_announces_once(
    school, staff, dsl, django_capture_on_commit_callbacks
):
    heard = []

    def receiver(sender, **kwargs):
        heard.append((sender, kwargs["reason"], kwargs["user_ids"], kwargs["school_ids"]))

    compliance_changed.connect(receiver, weak=False, dispatch_uid="test-membership-update")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            membership_update(
                membership=staff,
                actor=dsl.user,
                last_name="Thompson-Reid",
                role=Membership.Role.DEPUTY_DSL,
                started_on=date(2024, 9, 1),  # unchanged: not recorded
            )
        with django_capture_on_commit_callbacks(execute=True):
            membership_update(membership=staff, actor=dsl.user, role=Membership.Role.DEPUTY_DSL)
    finally:
        compliance_changed.disconnect(dispatch_uid="test-membership-update")
    staff.refresh_from_db()
    staff.user.refresh_from_db()
    assert (staff.last_name, staff.user.last_name, staff.role) == (
        "Thompson-Reid",
        "Thompson",
        "deputy_dsl",
    )
    [event] = AuditEvent.objects.filter(action="cpd.membership.updated")
    assert (event.actor, event.school, event.target_id, event.data) == (
        dsl.user,
        school,
        str(staff.pk),
        {"last_name": ["Thompson", "Thompson-Reid"], "role": ["staff", "deputy_dsl"]},
    )
    assert heard == [(Membership, "updated", [staff.user_id], [school.pk])]


def test_membership_update_refuses_a_leaving_date_before_the_start(staff):
    with pytest.raises(MembershipError):
        membership_update(membership=staff, left_on=date(2020, 1, 1))
    staff.refresh_from_db()
    assert staff.left_on is None
    assert AuditEvent.objects.count() == 0


def test_membership_update_of_another_person_in_another_school_is_theirs_alone(staff, other_school):
    elsewhere = MembershipFactory(school=other_school, job_title="Cook")
    membership_update(membership=staff, job_title="Teaching assistant")
    elsewhere.refresh_from_db()
    assert elsewhere.job_title == "Cook"
