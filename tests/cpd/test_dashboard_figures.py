"""Figures a DSL can take to an inspection: the headline and tiles count people, each once;
every bar agrees with its legend and with the table; reminding everyone overdue."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cpd.models import AuditEvent, Membership
from tests.factories import (
    PASSWORD,
    CertificateFactory,
    CourseVersionFactory,
    MembershipFactory,
    RequirementFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def requirements():
    induction = CourseVersionFactory(course__slug="induction", course__title="Induction")
    annual = CourseVersionFactory(course__slug="annual", course__title="Annual update")
    return (
        RequirementFactory(
            name="Induction", course=induction.course, renewal_months=None, induction_days=14
        ),
        RequirementFactory(
            name="Annual update",
            course=annual.course,
            renewal_months=12,
            induction_days=90,
            due_soon_days=30,
        ),
    )


def _holds(membership, requirement, *, completed_days_ago, expires_in_days=None):
    today = timezone.localdate()
    CertificateFactory(
        enrolment__membership=membership,
        enrolment__course_version=requirement.course.versions.get(),
        course=requirement.course,
        completed_on=today - timedelta(days=completed_days_ago),
        expires_on=None if expires_in_days is None else today + timedelta(days=expires_in_days),
    )


@pytest.fixture
def staff(school, requirements, dsl):
    """Six people, several requirements each (the DSL, who has nothing, is one of them)."""
    induction, annual = requirements
    today = timezone.localdate()
    long_ago = today - timedelta(days=400)

    def person(name, started=long_ago):
        first, last = name.split()
        return MembershipFactory(
            school=school,
            user__first_name=first,
            user__last_name=last,
            role=Membership.Role.STAFF,
            started_on=started,
        )

    amy, bea, cal, dan, eve = (
        person("Amy Ash"),
        person("Bea Birch"),
        person("Cal Cedar"),
        person("Dan Dale", started=today - timedelta(days=3)),
        person("Eve Elm"),
    )
    for someone in (amy, bea, cal):
        _holds(someone, induction, completed_days_ago=390)
    _holds(amy, annual, completed_days_ago=20, expires_in_days=345)  # up to date
    _holds(bea, annual, completed_days_ago=350, expires_in_days=15)  # due soon
    _holds(cal, annual, completed_days_ago=380, expires_in_days=-15)  # expired
    return amy, bea, cal, dan, eve


def _dashboard(client, dsl, query=""):
    client.login(username=dsl.user.email, password=PASSWORD)
    return client.get(f"/schools/{dsl.school.slug}/compliance/{query}")


def test_headline_tiles_bars_and_table_agree(client, dsl, staff):
    response = _dashboard(client, dsl)
    people = response.context["people"]
    today = timezone.localdate().strftime("%-d %B %Y")
    page = response.content.decode()

    # The headline counts people, each fully up to date only if all their training is.
    assert (people.staff, people.fully_up_to_date) == (6, 2)
    assert f"2 of 6 staff fully up to date on {today}." in page

    # Tiles: each person once, under their most urgent status; they add up to the staff.
    tiles = {status: count for status, _label, count in response.context["tiles"]}
    assert tiles == {"overdue": 2, "expired": 1, "due_soon": 1, "induction_due": 1, "compliant": 1}
    assert sum(tiles.values()) == people.staff
    for status, count in tiles.items():
        assert f'href="?worst={status}#staff"' in page
        listed = _dashboard(client, dsl, f"?worst={status}")
        assert listed.context["page"].paginator.count == count, status

    # Bars: each agrees with its legend, its caption and its row of the table.
    summaries = {s.requirement.name: s for s in response.context["summaries"]}
    expected = {
        "Induction": {"compliant": 3, "induction_due": 1, "overdue": 2},
        "Annual update": {"compliant": 1, "due_soon": 1, "expired": 1, "induction_due": 1,
                          "overdue": 2},
    }  # fmt: skip
    table = page[page.index('id="by-training-caption"') :]
    for name, counts in expected.items():
        summary = summaries[name]
        assert {s: n for s, n in summary.counts.items() if n} == counts
        assert {seg["status"]: seg["count"] for seg in summary.segments} == counts
        assert summary.total == 6
        in_date = counts.get("compliant", 0) + counts.get("due_soon", 0)
        assert summary.up_to_date == in_date
        assert f"{in_date} of 6 staff in date" in page
        legend = "; ".join(f"{seg['label']}: {seg['count']}" for seg in summary.segments)
        assert f"{legend}</title>" in page
        row = re.search(rf"<th scope=\"row\">{name}</th>(.*?)</tr>", table).group(1)
        cells = [int(n) for n in re.findall(r"<td[^>]*>(\d+)</td>", row)]
        assert cells == [*summary.counts.values(), 6]

    # And every segment starts where the ones before it end, in a bar 100 wide.
    for summary in summaries.values():
        ends = [seg["x"] for seg in summary.segments] + [100]
        shares = [100 * seg["count"] / summary.total for seg in summary.segments]
        widths = [b - a for a, b in zip(ends, ends[1:], strict=False)]
        assert widths == pytest.approx(shares, abs=0.002)


def test_remind_everyone_overdue_once_a_day(client, dsl, staff):
    amy, bea, cal, dan, eve = staff
    client.login(username=dsl.user.email, password=PASSWORD)
    url = f"/schools/{dsl.school.slug}/compliance/remind-overdue/"

    first = client.post(url, follow=True)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [cal.user.email, eve.user.email, dsl.user.email]
    )
    assert "Reminders sent to 3 members of staff with overdue training." in first.content.decode()
    assert first.redirect_chain[-1][0].endswith("/compliance/#staff")

    second = client.post(url, follow=True)
    assert len(mail.outbox) == 3
    assert "Everyone with overdue training has been reminded today already." in (
        second.content.decode()
    )
    assert list(
        AuditEvent.objects.filter(action="cpd.compliance.overdue_reminded")
        .order_by("pk")
        .values_list("data", flat=True)
    ) == [
        {"sent": 3, "already_reminded_today": 0},
        {"sent": 0, "already_reminded_today": 3},
    ]
    today = timezone.localdate().strftime("%-d %b %Y")
    lines = {line.membership.pk: line.last_reminded for line in second.context["page"]}
    assert lines[eve.pk] == timezone.localdate()
    assert lines[amy.pk] is None
    assert f"Last reminded {today}" in second.content.decode()


def test_remind_everyone_overdue_refused_to_staff_and_other_schools(
    client, dsl, staff, other_school
):
    amy = staff[0]
    client.login(username=amy.user.email, password=PASSWORD)
    assert client.post(f"/schools/{dsl.school.slug}/compliance/remind-overdue/").status_code == 403
    client.login(username=dsl.user.email, password=PASSWORD)
    assert (
        client.post(f"/schools/{other_school.slug}/compliance/remind-overdue/").status_code == 404
    )
    assert mail.outbox == []


def test_a_reminder_returns_to_the_row_it_came_from(client, dsl, staff):
    eve = staff[4]
    page = _dashboard(client, dsl).content.decode()
    assert f'<tr id="person-{eve.pk}">' in page
    assert f'name="next" value="/schools/{dsl.school.slug}/compliance/#person-{eve.pk}"' in page
    response = client.post(
        f"/schools/{dsl.school.slug}/people/{eve.pk}/nudge/",
        {"next": f"/schools/{dsl.school.slug}/compliance/#person-{eve.pk}"},
    )
    assert response["Location"] == f"/schools/{dsl.school.slug}/compliance/#person-{eve.pk}"
