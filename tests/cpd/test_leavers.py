"""Leavers: from their leaving date their training is no longer required or chased, they
can no longer reach the school's pages, and their records and certificates are kept."""

from datetime import date

import pytest

from certificates.models import Certificate
from cpd.compliance.reminders.services import reminders_send
from cpd.compliance.selectors import compliance_matrix
from cpd.models import AuditEvent, Membership
from cpd.people.services import MembershipError, membership_leave
from tests.factories import CertificateFactory, MembershipFactory, RequirementFactory

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 2)


def test_membership_leave_sets_the_date_and_records_it(school, staff, dsl):
    membership_leave(membership=staff, left_on=ON, actor=dsl.user)
    staff.refresh_from_db()
    assert staff.left_on == ON
    [event] = AuditEvent.objects.filter(action="cpd.membership.left")
    assert (event.actor, event.school, event.target_id, event.data) == (
        dsl.user,
        school,
        str(staff.pk),
        {"left_on": "2026-03-02", "previous_left_on": None},
    )


def test_membership_leave_twice_on_the_same_date_records_once(staff):
    membership_leave(membership=staff, left_on=ON)
    membership_leave(membership=staff, left_on=ON)
    assert AuditEvent.objects.filter(action="cpd.membership.left").count() == 1


def test_membership_leave_before_the_start_date_is_refused(staff):
    with pytest.raises(MembershipError) as caught:
        membership_leave(membership=staff, left_on=date(2024, 8, 31))
    assert str(caught.value) == "The leaving date must be on or after the start date, 2024-09-01."
    staff.refresh_from_db()
    assert staff.left_on is None
    assert AuditEvent.objects.count() == 0


def test_leaver_drops_out_of_compliance_from_the_leaving_date(school, staff, dsl, other_school):
    RequirementFactory(renewal_months=12)
    MembershipFactory(school=other_school)  # never in this school's matrix
    membership_leave(membership=staff, left_on=ON)
    before = compliance_matrix(school=school, on=date(2026, 3, 1))
    on_the_day = compliance_matrix(school=school, on=ON)
    assert [m.pk for m in before.memberships] == [dsl.pk, staff.pk]  # by last name
    assert [m.pk for m in on_the_day.memberships] == [dsl.pk]
    assert {row.membership.pk for row in on_the_day.rows} == {dsl.pk}


def test_leaver_gets_no_reminders(school, staff, dsl):
    RequirementFactory(renewal_months=12)  # nobody has it: everyone is not started
    membership_leave(membership=staff, left_on=ON)
    reminders_send(on=ON, schools=[school])
    from django.core import mail

    # The DSL gets their own reminder and the weekly digest; the leaver gets nothing, and
    # is not in the digest.
    assert [m.to for m in mail.outbox] == [["david@oakwood.test"], ["david@oakwood.test"]]
    assert all("Thompson" not in m.body for m in mail.outbox)


def test_leaver_keeps_records_and_certificates(school, staff, sign_in):
    certificate = CertificateFactory(enrolment__membership=staff)
    membership_leave(membership=staff, left_on=ON)
    assert Membership.objects.get(pk=staff.pk).left_on == ON
    assert list(Certificate.objects.filter(membership=staff)) == [certificate]
    client = sign_in(staff)
    assert client.get(f"/certificates/{certificate.serial}/").status_code == 200


@pytest.mark.parametrize("role", [Membership.Role.DSL, Membership.Role.SCHOOL_ADMIN])
def test_leaver_with_a_school_role_loses_the_schools_pages(school, sign_in, role):
    lead = MembershipFactory(school=school, role=role, started_on=date(2020, 9, 1))
    client = sign_in(lead)
    pages = [f"/schools/{school.slug}/compliance/", f"/schools/{school.slug}/staff/"]
    assert [client.get(url).status_code for url in pages] == [200, 200]
    membership_leave(membership=lead, left_on=date(2025, 12, 31))
    assert [client.get(url).status_code for url in pages] == [404, 404]
    assert client.get(f"/api/v1/schools/{school.slug}/").status_code == 404


def leaving(day: int, month: int, year: int, **extra) -> dict:
    return {
        "left_on_day": str(day),
        "left_on_month": str(month),
        "left_on_year": str(year),
        **extra,
    }


def test_leave_page_asks_the_date_then_confirms_what_will_happen(school, sign_in, staff):
    admin = MembershipFactory(school=school, role=Membership.Role.SCHOOL_ADMIN)
    client = sign_in(admin)
    url = f"/schools/{school.slug}/staff/{staff.pk}/leave/"
    first = client.get(url).content.decode()
    assert 'name="left_on_day"' in first
    assert 'value="' not in first.split('name="left_on_day"')[1].split(">")[0]  # not pre-dated
    response = client.post(url, leaving(31, 8, 2024))
    assert "The leaving date must be on or after the start date" in response.content.decode()
    response = client.post(url, leaving(2, 3, 2026))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mark Sarah Thompson as leaving on 2 March 2026?" in html
    assert "their training records and certificates are kept" in html
    staff.refresh_from_db()
    assert staff.left_on is None  # nothing changes before the confirmation
    response = client.post(url, leaving(2, 3, 2026, confirmed="on"))
    assert response["Location"] == f"/schools/{school.slug}/people/{staff.pk}/"
    staff.refresh_from_db()
    assert staff.left_on == ON


YEAR = date.today().year  # any year: 31 February is never a date


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("", "", ""), "Enter the leaving date."),
        (("2", "", str(YEAR)), "Leaving date must include a month."),
        (("", "3", ""), "Leaving date must include a day and a year."),
        (("31", "2", str(YEAR)), "Leaving date must be a real date, for example 27 3 "),
        (("two", "3", str(YEAR)), "Leaving date must be a real date, for example 27 3 "),
    ],
)
def test_leave_page_names_what_is_wrong_with_the_date(school, sign_in, staff, parts, message):
    admin = MembershipFactory(school=school, role=Membership.Role.SCHOOL_ADMIN)
    response = sign_in(admin).post(
        f"/schools/{school.slug}/staff/{staff.pk}/leave/", leaving(*parts)
    )
    html = response.content.decode()
    assert message in html
    assert 'href="#id_left_on_0"' in html  # the error summary links to the day box
    staff.refresh_from_db()
    assert staff.left_on is None


def test_restore_from_the_person_page_undoes_the_leaving_date_and_records_it(
    school, sign_in, staff
):
    admin = MembershipFactory(school=school, role=Membership.Role.SCHOOL_ADMIN)
    membership_leave(membership=staff, left_on=ON, actor=admin.user)
    client = sign_in(admin)
    person = f"/schools/{school.slug}/people/{staff.pk}/"
    assert "Restore as current staff" in client.get(person).content.decode()
    response = client.post(f"/schools/{school.slug}/staff/{staff.pk}/restore/")
    assert response["Location"] == person
    staff.refresh_from_db()
    assert staff.left_on is None
    event = AuditEvent.objects.filter(action="cpd.membership.restored").get()
    assert (event.actor, event.school, event.data) == (
        admin.user,
        school,
        {"previous_left_on": "2026-03-02"},
    )
    # Restoring someone current changes nothing and records nothing.
    client.post(f"/schools/{school.slug}/staff/{staff.pk}/restore/")
    assert AuditEvent.objects.filter(action="cpd.membership.restored").count() == 1


def test_restore_is_for_admins_of_the_school_only(school, sign_in, staff, dsl, other_school):
    membership_leave(membership=staff, left_on=ON)
    url = f"/schools/{school.slug}/staff/{staff.pk}/restore/"
    assert sign_in(dsl).post(url).status_code == 403
    elsewhere = MembershipFactory(school=other_school, role=Membership.Role.SCHOOL_ADMIN)
    assert sign_in(elsewhere).post(url).status_code == 404
    staff.refresh_from_db()
    assert staff.left_on == ON


def test_leave_page_is_for_admins_of_the_school_only(school, sign_in, staff, dsl, other_school):
    url = f"/schools/{school.slug}/staff/{staff.pk}/leave/"
    assert sign_in(dsl).post(url, leaving(2, 3, 2026, confirmed="on")).status_code == 403
    elsewhere = MembershipFactory(school=other_school, role=Membership.Role.SCHOOL_ADMIN)
    client = sign_in(elsewhere)
    assert client.post(url, leaving(2, 3, 2026, confirmed="on")).status_code == 404
    # Nor through their own school's address.
    assert client.post(f"/schools/{other_school.slug}/staff/{staff.pk}/leave/").status_code == 404
    staff.refresh_from_db()
    assert staff.left_on is None
