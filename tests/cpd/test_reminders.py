"""Reminders through Django's locmem email backend: exact recipients, the DSL named, and
never the same reminder twice."""

from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command

from cpd.compliance.reminders.services import reminders_send
from cpd.models import AuditEvent, Membership, ReminderLog
from tests.factories import (
    PASSWORD,
    CertificateFactory,
    CourseVersionFactory,
    MembershipFactory,
    RequirementFactory,
)

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 11, 23)


@pytest.fixture
def annual():
    version = CourseVersionFactory(validity_months=None)
    return RequirementFactory(
        name="Annual update",
        course=version.course,
        renewal_months=12,
        induction_days=30,
        due_soon_days=14,
    )


@pytest.fixture
def school_staff(school, annual):
    lead = MembershipFactory(
        school=school, role=Membership.Role.DSL, user__first_name="David",
        user__last_name="Okafor", user__email="dsl@oakwood.test", started_on=date(2020, 1, 1),
    )  # fmt: skip
    CertificateFactory(
        enrolment__membership=lead, enrolment__course_version=annual.course.versions.get(),
        course=annual.course, completed_on=date(2026, 6, 1),
    )  # fmt: skip
    late = MembershipFactory(
        school=school, user__first_name="Grace", user__last_name="Adeyemi",
        user__email="grace@oakwood.test", started_on=date(2024, 1, 1),
    )  # fmt: skip
    soon = MembershipFactory(
        school=school, user__first_name="Lena", user__last_name="Novak",
        user__email="lena@oakwood.test", started_on=date(2020, 1, 1),
    )  # fmt: skip
    CertificateFactory(
        enrolment__membership=soon, enrolment__course_version=annual.course.versions.get(),
        course=annual.course, completed_on=date(2025, 12, 1),
    )  # fmt: skip
    MembershipFactory(school=school, user__email="fine@oakwood.test", started_on=date(2026, 11, 20))
    return lead, late, soon


def test_reminders_go_to_exactly_the_people_due_and_name_the_dsl(school_staff):
    run = reminders_send(on=MONDAY)
    assert (run.reminders, run.digests) == (2, 1)
    sent = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert sent == [
        ("dsl@oakwood.test", "Safeguarding training this week: Oakwood Primary School"),
        ("grace@oakwood.test", "Your safeguarding training is overdue"),
        ("lena@oakwood.test", "Your safeguarding training is due soon"),
    ]
    grace = next(m for m in mail.outbox if m.to == ["grace@oakwood.test"])
    assert "- Annual update (was due 31 January 2024)" in grace.body
    assert "- David Okafor (Designated safeguarding lead), dsl@oakwood.test" in grace.body
    assert "https://cpd.example.org/training/" in grace.body
    digest = next(m for m in mail.outbox if m.to == ["dsl@oakwood.test"])
    assert "- Grace Adeyemi: Annual update – Overdue (31 Jan 2024)" in digest.body


def test_reminders_repeated_runs_on_the_same_day_send_nothing_more(school_staff):
    reminders_send(on=MONDAY)
    reminders_send(on=MONDAY)
    call_command("cpd_send_reminders", "--date", MONDAY.isoformat())
    assert len(mail.outbox) == 3
    assert ReminderLog.objects.count() == 3


def test_reminders_next_day_same_due_date_not_repeated_but_digest_waits_a_week(school_staff):
    reminders_send(on=MONDAY)
    mail.outbox = []
    reminders_send(on=date(2026, 11, 24))
    assert mail.outbox == []
    reminders_send(on=date(2026, 11, 30))
    assert [m.to for m in mail.outbox] == [["dsl@oakwood.test"]]


def test_reminders_skip_leavers(school_staff):
    lead, late, soon = school_staff
    late.left_on = date(2026, 11, 1)
    late.save()
    reminders_send(on=MONDAY)
    assert "grace@oakwood.test" not in [m.to[0] for m in mail.outbox]


def test_reminders_command_rejects_a_bad_date(db):
    from django.core.management import CommandError

    with pytest.raises(
        CommandError, match=r"^--date must look like 2026-09-01, not '27/11/2026'\.$"
    ):
        call_command("cpd_send_reminders", "--date", "27/11/2026")
    assert ReminderLog.objects.count() == 0


def test_nudge_from_the_dashboard_emails_once_a_day_and_is_audited(client, school_staff):
    lead, late, soon = school_staff
    client.login(username=lead.user.email, password=PASSWORD)
    url = f"/schools/{lead.school.slug}/people/{late.pk}/nudge/"
    response = client.post(url, {"next": f"/schools/{lead.school.slug}/compliance/?status=overdue"})
    assert response["Location"] == f"/schools/{lead.school.slug}/compliance/?status=overdue"
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["grace@oakwood.test"], "A reminder from David Okafor: safeguarding training")
    ]
    assert "- Annual update – Overdue (31 January 2024)" in mail.outbox[0].body
    client.post(url)
    assert len(mail.outbox) == 1
    page = client.get(f"/schools/{lead.school.slug}/people/{late.pk}/").content.decode()
    assert "Grace Adeyemi has already been sent a reminder today." in page
    assert list(AuditEvent.objects.filter(action="cpd.membership.nudged").values_list(
        "actor", "target_id")) == [(lead.user.pk, str(late.pk))]  # fmt: skip


def test_nudge_refused_for_someone_up_to_date(client, school_staff):
    lead, late, soon = school_staff
    client.login(username=lead.user.email, password=PASSWORD)
    response = client.post(f"/schools/{lead.school.slug}/people/{lead.pk}/nudge/", follow=True)
    assert "David Okafor is up to date: nothing to chase." in response.content.decode()
    assert mail.outbox == []


def test_nudge_to_another_schools_person_is_not_found(client, school_staff, other_school):
    lead = school_staff[0]
    stranger = MembershipFactory(school=other_school)
    client.login(username=lead.user.email, password=PASSWORD)
    assert (
        client.post(f"/schools/{other_school.slug}/people/{stranger.pk}/nudge/").status_code == 404
    )
    assert (
        client.post(f"/schools/{lead.school.slug}/people/{stranger.pk}/nudge/").status_code == 404
    )
    assert mail.outbox == []


def test_nudge_refused_to_staff(client, school_staff):
    lead, late, soon = school_staff
    client.login(username=soon.user.email, password=PASSWORD)
    assert client.post(f"/schools/{lead.school.slug}/people/{late.pk}/nudge/").status_code == 403
