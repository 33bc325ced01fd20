from datetime import date, datetime

import pytest
from django.utils import timezone

from cpd.compliance.bulletins.services import bulletin_confirm
from cpd.compliance.engine import compliance_rows
from cpd.models import AuditEvent, Bulletin, BulletinRead
from tests.factories import PASSWORD, CourseVersionFactory, MembershipFactory, RequirementFactory

pytestmark = pytest.mark.django_db


def aware(*args):
    return timezone.make_aware(datetime(*args))


def test_dsl_posts_a_bulletin_and_staff_see_it_until_they_confirm(client, dsl, staff):
    client.login(username=dsl.user.email, password=PASSWORD)
    response = client.post(
        f"/schools/{dsl.school.slug}/bulletins/",
        {
            "title": "Online safety this half-term",
            "body": "Talk to the DSL about **gaming chats**.",
        },
    )
    assert response["Location"] == f"/schools/{dsl.school.slug}/bulletins/"
    bulletin = Bulletin.objects.get()
    assert (bulletin.school, bulletin.posted_by) == (dsl.school, dsl.user)
    assert AuditEvent.objects.filter(action="cpd.bulletin.posted").count() == 1

    client.login(username=staff.user.email, password=PASSWORD)
    assert client.get("/training/").context["bulletins"] == [bulletin]
    page = client.get(f"/bulletins/{bulletin.pk}/").content.decode()
    assert "<strong>gaming chats</strong>" in page
    assert client.post(f"/bulletins/{bulletin.pk}/confirm/")["Location"] == "/training/"
    client.post(f"/bulletins/{bulletin.pk}/confirm/")
    assert BulletinRead.objects.filter(membership=staff).count() == 1
    assert client.get("/training/").context["bulletins"] == []

    client.login(username=dsl.user.email, password=PASSWORD)
    readership = client.get(f"/schools/{dsl.school.slug}/bulletins/{bulletin.pk}/").context[
        "readership"
    ]
    assert [m for m, _ in readership.read] == [staff]
    assert readership.unread == [dsl]


def test_bulletin_body_is_sanitised(client, dsl):
    bulletin = Bulletin.objects.create(
        school=dsl.school, title="x", body="<script>alert(1)</script>[a](javascript:alert(1))"
    )
    client.login(username=dsl.user.email, password=PASSWORD)
    page = client.get(f"/bulletins/{bulletin.pk}/").content.decode()
    assert "<script>alert" not in page and "javascript:" not in page


def test_bulletin_form_reports_missing_fields(client, dsl):
    client.login(username=dsl.user.email, password=PASSWORD)
    response = client.post(f"/schools/{dsl.school.slug}/bulletins/", {"title": "", "body": ""})
    assert response.context["form"].errors == {
        "title": ["Enter a title for the bulletin."],
        "body": ["Enter the update you want staff to read."],
    }
    assert Bulletin.objects.count() == 0


def test_another_schools_bulletin_is_not_found(client, staff, dsl, other_school):
    stranger = Bulletin.objects.create(school=other_school, title="Elsewhere", body="x")
    for person in (staff, dsl):
        client.login(username=person.user.email, password=PASSWORD)
        assert client.get(f"/bulletins/{stranger.pk}/").status_code == 404
        assert client.post(f"/bulletins/{stranger.pk}/confirm/").status_code == 404
    assert client.get(f"/schools/{dsl.school.slug}/bulletins/{stranger.pk}/").status_code == 404
    assert client.get(f"/schools/{other_school.slug}/bulletins/").status_code == 404
    assert BulletinRead.objects.count() == 0


def test_staff_cannot_post_bulletins(client, staff):
    client.login(username=staff.user.email, password=PASSWORD)
    response = client.post(f"/schools/{staff.school.slug}/bulletins/", {"title": "t", "body": "b"})
    assert response.status_code == 403
    assert Bulletin.objects.count() == 0


@pytest.mark.parametrize(("confirmed", "expected"), [(3, "compliant"), (2, "not_started")])
def test_enough_confirmed_bulletins_count_as_the_update(school, confirmed, expected):
    version = CourseVersionFactory(validity_months=None)
    requirement = RequirementFactory(
        course=version.course, scope="school", school=school, renewal_months=12, bulletins_needed=3
    )
    member = MembershipFactory(school=school, started_on=date(2020, 1, 1))
    days = [
        aware(2026, 10, 1, 9),
        aware(2026, 6, 1, 9),
        aware(2026, 2, 1, 9),
        aware(2025, 10, 1, 9),
    ]
    for at in days[:confirmed] + [days[3]]:
        bulletin = Bulletin.objects.create(school=school, title=str(at), body="b", posted_at=at)
        BulletinRead.objects.create(bulletin=bulletin, membership=member, at=at)
    [row] = compliance_rows(memberships=[member], on=date(2026, 11, 27))
    assert (row.requirement, row.status) == (requirement, expected)
    if expected == "compliant":
        assert row.due_on == date(2027, 2, 1)


def test_bulletins_do_not_count_where_the_requirement_does_not_say_so(school):
    version = CourseVersionFactory()
    RequirementFactory(course=version.course, renewal_months=12)
    member = MembershipFactory(school=school, started_on=date(2020, 1, 1))
    for n in range(5):
        bulletin_confirm(
            bulletin=Bulletin.objects.create(school=school, title=str(n), body="b"),
            membership=member,
        )
    [row] = compliance_rows(memberships=[member], on=timezone.localdate())
    assert row.status == "not_started"
