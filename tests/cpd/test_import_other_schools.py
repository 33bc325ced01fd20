"""A staff import that meets accounts belonging to other schools: Oakwood's admin imports
rows for Riverside's DSL and a Northfield school's admin. Neither account changes, nothing
about them shows before they accept, and every step is in both schools' audit trails."""

import io
import json
import zipfile
from datetime import date

import pytest
from django.core import mail

from cpd.models import AuditEvent, Membership
from cpd.people.imports.pending import staff_import_apply, staff_import_preview
from tests.factories import (
    CertificateFactory,
    MembershipFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HEADER = "email,first name,last name,role,staff category,job title,start date"
FILE = (
    HEADER + "\n"
    "dsl@riverside.test,Rita,Typed,staff,teaching,Supply teacher,2025-09-01\n"
    "admin@northfield.test,Neil,Typed,staff,support,Cover supervisor,2025-09-01\n"
    "new.person@oakwood.test,Nora,New,staff,teaching,Class teacher,2025-09-01\n"
).encode()


@pytest.fixture
def oakwood_admin(school):
    return MembershipFactory(
        school=school,
        role=Membership.Role.SCHOOL_ADMIN,
        user__email="head@oakwood.test",
        started_on=date(2019, 9, 1),
    )


@pytest.fixture
def riverside_dsl():
    riverside = SchoolFactory(name="Riverside Academy", slug="riverside")
    return MembershipFactory(
        school=riverside,
        role=Membership.Role.DSL,
        user=UserFactory(email="dsl@riverside.test", first_name="Rebecca", last_name="Stored"),
        started_on=date(2018, 9, 1),
    )


@pytest.fixture
def northfield_admin():
    northfield = SchoolFactory(name="Northfield High School", slug="northfield-high")
    return MembershipFactory(
        school=northfield,
        role=Membership.Role.SCHOOL_ADMIN,
        user=UserFactory(email="admin@northfield.test", first_name="Nathan", last_name="Stored"),
        started_on=date(2018, 9, 1),
    )


def _import(school, admin, content=FILE):
    pending = staff_import_preview(school=school, actor=admin.user, content=content)
    return pending, staff_import_apply(
        school=school, actor=admin.user, token=pending.token, fingerprint=pending.fingerprint
    )


def test_import_of_other_schools_accounts_renames_nobody_and_invites_them(
    school, oakwood_admin, riverside_dsl, northfield_admin, django_capture_on_commit_callbacks
):
    CertificateFactory(enrolment__membership=riverside_dsl, holder_name="Rebecca Stored")
    with django_capture_on_commit_callbacks(execute=True):
        pending, _plan = _import(school, oakwood_admin)
    # The preview treats known and unknown addresses alike: all three are adds, as typed.
    assert [(r.email, r.first_name, r.last_name) for r in pending.plan.adds] == [
        ("dsl@riverside.test", "Rita", "Typed"),
        ("admin@northfield.test", "Neil", "Typed"),
        ("new.person@oakwood.test", "Nora", "New"),
    ]
    # No account was renamed.
    for membership, name in ((riverside_dsl, "Rebecca"), (northfield_admin, "Nathan")):
        membership.user.refresh_from_db()
        assert (membership.user.first_name, membership.user.last_name) == (name, "Stored")
    # Oakwood's memberships hold what Oakwood typed; the existing accounts are invited.
    assert list(
        Membership.objects.filter(school=school)
        .exclude(pk=oakwood_admin.pk)
        .order_by("user__email")
        .values_list("user__email", "first_name", "last_name", "status")
    ) == [
        ("admin@northfield.test", "Neil", "Typed", "invited"),
        ("dsl@riverside.test", "Rita", "Typed", "invited"),
        ("new.person@oakwood.test", "Nora", "New", "joined"),
    ]
    # An invitation to accept for the existing accounts, a password link for the new one.
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        (
            "admin@northfield.test",
            "Oakwood Primary School has invited you to join its staff on Safeguarding CPD",
        ),
        (
            "dsl@riverside.test",
            "Oakwood Primary School has invited you to join its staff on Safeguarding CPD",
        ),
        ("new.person@oakwood.test", "Oakwood Primary School has added you to Safeguarding CPD"),
    ]
    # Both schools' trails: Oakwood records the import, Riverside and Northfield the invitation.
    [imported] = AuditEvent.objects.filter(school=school, action="cpd.staff.imported")
    assert imported.data["added"] == [
        "dsl@riverside.test",
        "admin@northfield.test",
        "new.person@oakwood.test",
    ]
    assert list(
        AuditEvent.objects.filter(action="cpd.membership.invited_elsewhere")
        .order_by("school__slug")
        .values_list("school__slug", "target_id", "data__school")
    ) == [
        ("northfield-high", str(northfield_admin.pk), "Oakwood Primary School"),
        ("riverside", str(riverside_dsl.pk), "Oakwood Primary School"),
    ]


def test_import_shows_nothing_of_an_invited_account(
    sign_in, client, school, oakwood_admin, riverside_dsl, northfield_admin
):
    CertificateFactory(
        enrolment__membership=riverside_dsl,
        holder_name="Rebecca Stored",
        serial="CPD-2025-100001",
        course_title="DSL refresher",
    )
    _import(school, oakwood_admin)
    invited = Membership.objects.get(school=school, user=riverside_dsl.user)
    client = sign_in(oakwood_admin)
    staff_page = client.get(f"/schools/{school.slug}/staff/").content.decode()
    assert "Rita Typed" in staff_page and "Neil Typed" in staff_page
    assert "Rebecca" not in staff_page and "Nathan" not in staff_page
    person = client.get(f"/schools/{school.slug}/people/{invited.pk}/").content.decode()
    assert "Rita Typed" in person
    for secret in ("Rebecca", "Stored", "CPD-2025-100001", "DSL refresher", "Riverside"):
        assert secret not in person
    # A reminder is refused without looking at their training.
    nudged = client.post(f"/schools/{school.slug}/people/{invited.pk}/nudge/", follow=True)
    assert (
        "Rita Typed has not accepted the invitation to join yet: reminders start once they do."
        in nudged.content.decode()
    )
    assert mail.outbox == []
    # Nor does the subject access download for Oakwood.
    export = client.post(f"/schools/{school.slug}/people/{invited.pk}/export/")
    data = json.loads(zipfile.ZipFile(io.BytesIO(export.content)).read("person.json"))
    assert data["person"] == {
        "first_name": "Rita",
        "last_name": "Typed",
        "email": "dsl@riverside.test",
        "joined": None,
        "last_sign_in": None,
    }
    assert (data["certificates"], [m["school"] for m in data["memberships"]]) == (
        [],
        ["Oakwood Primary School"],
    )
    # Not counted: the compliance page does not list the invited people.
    compliance = client.get(f"/schools/{school.slug}/compliance/").content.decode()
    assert "Nora New" in compliance
    assert "Rita Typed" not in compliance and "Neil Typed" not in compliance


def test_a_second_import_changes_the_schools_names_only(
    school, oakwood_admin, riverside_dsl, northfield_admin
):
    _import(school, oakwood_admin)
    _pending, plan = _import(school, oakwood_admin, FILE.replace(b"Rita,Typed", b"Rita,Renamed"))
    assert [(u.row.email, [(c.field, c.old, c.new) for c in u.changes]) for u in plan.updates] == [
        ("dsl@riverside.test", [("last_name", "Typed", "Renamed")])
    ]
    riverside_dsl.user.refresh_from_db()
    riverside_dsl.refresh_from_db()
    assert (riverside_dsl.user.first_name, riverside_dsl.user.last_name) == ("Rebecca", "Stored")
    assert (riverside_dsl.first_name, riverside_dsl.last_name) == ("Rebecca", "Stored")
    assert Membership.objects.get(school=school, user=riverside_dsl.user).last_name == "Renamed"


def test_accepting_counts_the_membership_and_shows_training_from_another_school(
    sign_in, client, school, oakwood_admin, riverside_dsl, northfield_admin
):
    CertificateFactory(
        enrolment__membership=riverside_dsl,
        holder_name="Rebecca Stored",
        serial="CPD-2025-100001",
        course_title="DSL refresher",
        completed_on=date(2025, 6, 2),
        expires_on=date(2027, 6, 2),
    )
    _import(school, oakwood_admin)
    invited = Membership.objects.get(school=school, user=riverside_dsl.user)
    client = sign_in(riverside_dsl)
    page = client.get("/invitations/").content.decode()
    assert "Oakwood Primary School" in page and "As Rita Typed, Staff" in page
    # Someone else's invitation is a 404, and changes nothing.
    northfield_invite = Membership.objects.get(school=school, user=northfield_admin.user)
    response = client.post(f"/invitations/{northfield_invite.pk}/", {"answer": "accept"})
    assert response.status_code == 404
    northfield_invite.refresh_from_db()
    assert northfield_invite.status == "invited"
    # No answer is no answer.
    assert client.post(f"/invitations/{invited.pk}/").status_code == 302
    invited.refresh_from_db()
    assert invited.status == "invited"
    response = client.post(f"/invitations/{invited.pk}/", {"answer": "accept"})
    assert response.status_code == 302
    invited.refresh_from_db()
    assert invited.status == "joined"
    assert list(
        AuditEvent.objects.filter(
            action__in=["cpd.membership.invitation_accepted", "cpd.membership.joined_elsewhere"]
        )
        .order_by("school__slug")
        .values_list("school__slug", "action", "target_id")
    ) == [
        ("oakwood-primary", "cpd.membership.invitation_accepted", str(invited.pk)),
        ("riverside", "cpd.membership.joined_elsewhere", str(riverside_dsl.pk)),
    ]
    client.logout()
    client = sign_in(oakwood_admin)
    person = client.get(f"/schools/{school.slug}/people/{invited.pk}/").content.decode()
    assert "Training from another school" in person
    assert "<td>DSL refresher</td><td>2 Jun 2025</td><td>2 Jun 2027</td><td>Valid</td>" in person
    for secret in ("Rebecca", "CPD-2025-100001", "Riverside"):
        assert secret not in person


def test_declining_removes_the_invitation_and_records_it_in_both_schools(
    sign_in, client, school, oakwood_admin, riverside_dsl, northfield_admin
):
    _import(school, oakwood_admin)
    invited = Membership.objects.get(school=school, user=northfield_admin.user)
    client = sign_in(northfield_admin)
    response = client.post(f"/invitations/{invited.pk}/", {"answer": "decline"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=invited.pk).exists()
    assert list(
        AuditEvent.objects.filter(action__contains="declined")
        .order_by("action")
        .values_list("school__slug", "action")
    ) == [
        ("northfield-high", "cpd.membership.declined_elsewhere"),
        ("oakwood-primary", "cpd.membership.invitation_declined"),
    ]


@pytest.mark.parametrize("schools", [1, 12])
def test_invitations_page_query_count(sign_in, client, schools, django_assert_num_queries):
    person = MembershipFactory(user__email="person@riverside.test")
    for _ in range(schools):
        MembershipFactory(user=person.user, status=Membership.Status.INVITED)
    client = sign_in(person)
    client.get("/invitations/")  # caches the header's links in the session
    with django_assert_num_queries(2):  # the signed-in person, their invitations
        response = client.get("/invitations/")
    assert response.content.decode().count('name="answer" value="accept"') == schools
