"""The audit trail: read by the school's DSL with filters, never changed by anyone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cpd.audit.services import audit_record
from cpd.models import AuditEvent
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(school, other_school, dsl):
    head = MembershipFactory(school=school, role="school_admin", user__first_name="Helen")
    made = [
        audit_record(actor=head.user, action="cpd.membership.created", target=dsl, school=school),
        audit_record(actor=dsl.user, action="cpd.membership.nudged", target=head, school=school),
        audit_record(actor=None, action="cpd.membership.created", target=head, school=school),
    ]
    audit_record(actor=None, action="cpd.membership.created", target=head, school=other_school)
    return made


def listed(response):
    return [event.pk for event in response.context["page"]]


def test_dsl_reads_only_their_schools_trail_newest_first(client, dsl, events):
    client.login(username=dsl.user.email, password=PASSWORD)
    response = client.get(f"/schools/{dsl.school.slug}/audit/")
    assert listed(response) == [e.pk for e in reversed(events)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("action=cpd.membership.nudged", [1]), ("person=helen", [0]), ("person=david", [1])],
)
def test_audit_trail_filters(client, dsl, events, query, expected):
    client.login(username=dsl.user.email, password=PASSWORD)
    response = client.get(f"/schools/{dsl.school.slug}/audit/?{query}")
    assert listed(response) == [events[i].pk for i in expected]


def test_audit_trail_date_filter_and_bad_range(client, dsl, events):
    client.login(username=dsl.user.email, password=PASSWORD)
    today = timezone.localdate()
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert listed(client.get(f"/schools/{dsl.school.slug}/audit/?since={tomorrow}")) == []
    response = client.get(
        f"/schools/{dsl.school.slug}/audit/?since={tomorrow}&until={today.isoformat()}"
    )
    assert response.context["form"].errors == {
        "until": ["The end date must be on or after the start date."]
    }


def test_audit_trail_of_another_school_is_not_found_and_refused_to_staff(
    client, dsl, staff, other_school
):
    client.login(username=dsl.user.email, password=PASSWORD)
    assert client.get(f"/schools/{other_school.slug}/audit/").status_code == 404
    client.login(username=staff.user.email, password=PASSWORD)
    assert client.get(f"/schools/{staff.school.slug}/audit/").status_code == 403


def test_audit_event_cannot_be_changed_or_deleted_in_code(events):
    event = events[0]
    event.action = "tampered"
    with pytest.raises(ValueError, match="^Audit events are append-only.$"):
        event.save()
    with pytest.raises(ValueError, match="^Audit events are append-only.$"):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "cpd.membership.created"


def test_audit_events_cannot_be_changed_or_deleted_through_a_queryset(events):
    trail = AuditEvent.objects.filter(pk__in=[e.pk for e in events])
    with pytest.raises(ValueError, match="^Audit events are append-only.$"):
        trail.update(action="tampered")
    with pytest.raises(ValueError, match="^Audit events are append-only.$"):
        trail.delete()
    with pytest.raises(ValueError, match="^Audit events are append-only.$"):
        AuditEvent.objects.bulk_update(list(trail), ["action"])
    assert sorted(trail.values_list("action", flat=True)) == sorted(e.action for e in events)


def test_redacting_replaces_only_the_display_text(events):
    event = events[0]
    assert AuditEvent.objects.filter(pk=event.pk).redact(target_repr="Anonymised") == 1
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.target_repr, stored.action, stored.at, stored.actor_id) == (
        "Anonymised",
        event.action,
        event.at,
        event.actor_id,
    )


def test_admin_refuses_to_add_change_or_delete_audit_events(client, events):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.login(username=superuser.email, password=PASSWORD)
    event = events[0]
    base = "/admin/cpd/auditevent/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}{event.pk}/change/").status_code == 200  # view only
    assert client.post(f"{base}{event.pk}/change/", {"action": "tampered"}).status_code == 403
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(base, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    assert AuditEvent.objects.get(pk=event.pk).action == "cpd.membership.created"


def test_what_happened_filter_lists_each_action_once_in_words(client, dsl, events):
    client.login(username=dsl.user.email, password=PASSWORD)
    form = client.get(f"/schools/{dsl.school.slug}/audit/").context["form"]
    assert list(form.fields["action"].choices) == [
        ("", "Anything"),
        ("cpd.membership.created", "Member of staff added"),
        ("cpd.membership.nudged", "Reminder sent"),
    ]


def test_events_read_as_words_with_formatted_details(client, dsl, school):
    audit_record(
        actor=dsl.user,
        action="cpd.membership.updated",
        target=dsl,
        school=school,
        data={"role": ["staff", "dsl"], "left_on": [None, "2026-07-31"]},
    )
    audit_record(
        actor=dsl.user,
        action="cpd.requirement.changed",
        target=dsl,
        school=school,
        data={"course": "annual", "changed": {"renewal_months": [12, 24]}},
    )
    client.login(username=dsl.user.email, password=PASSWORD)
    response = client.get(f"/schools/{dsl.school.slug}/audit/")
    events = list(response.context["page"])
    assert [(e.description, e.details) for e in events] == [
        ("Training rule changed", [("Course", "annual"), ("Renewal months", "12 → 24")]),
        (
            "Member of staff's details changed",
            [("Role", "staff → dsl"), ("Leaving date", "– → 31 July 2026")],
        ),
    ]
    page = response.content.decode()
    assert "cpd.membership.updated" not in page.split('<table class="table table--stacked">', 1)[1]
    assert "{" not in page.split('<table class="table table--stacked">', 1)[1].split("</table>")[0]


def test_every_action_the_product_records_is_described():
    """Read the source for audit actions, so a new one cannot ship as a raw code."""
    import re
    from pathlib import Path

    from cpd.audit.descriptions import DESCRIPTIONS

    root = Path(__file__).resolve().parents[2]
    found = set()
    for folder in ("cpd", "courses", "certificates"):
        for path in (root / folder).rglob("*.py"):
            found |= set(re.findall(r'action="([a-z_]+\.[a-z_.]+)"', path.read_text()))
    found |= {"cpd.external_record.verified", "cpd.external_record.rejected"}  # by status
    assert found - DESCRIPTIONS.keys() == set()
    assert len(found) >= 25
