import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from certificates.models import Certificate
from cpd.models import Membership, School, Trust

pytestmark = pytest.mark.django_db

LOGINS = [
    "teacher@oakwood.test",
    "dsl@oakwood.test",
    "head@oakwood.test",
    "dsl@riverside.test",
    "trust@northfield.test",
    "reviewer@northfield.test",
    "admin@northfield.test",
]


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_cpd_demo_second_run_changes_no_table(settings, capsys):
    settings.DEBUG = True
    call_command("cpd_demo")
    first = row_counts()
    call_command("cpd_demo")
    assert row_counts() == first
    out = capsys.readouterr().out
    for email in LOGINS:
        assert email in out
    assert "Every demo password is: cpd-demo" in out


def test_cpd_demo_creates_trust_schools_and_logins(
    settings, client, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("cpd_demo")
    trust = Trust.objects.get(slug="northfield")
    assert trust.name == "Northfield Learning Trust"
    assert list(School.objects.filter(trust=trust).values_list("slug", "name")) == [
        ("oakwood-primary", "Oakwood Primary School"),
        ("riverside-academy", "Riverside Academy"),
    ]
    for email in LOGINS:
        assert client.login(username=email, password="cpd-demo"), email
        client.logout()
    roles = set(Membership.objects.values_list("role", flat=True))
    categories = set(Membership.objects.values_list("staff_category", flat=True))
    assert roles == set(Membership.Role.values)
    assert categories == set(Membership.StaffCategory.values)
    assert Certificate.objects.exclude(pdf="").count() == Certificate.objects.count()


def test_cpd_demo_shows_every_status_on_the_oakwood_dashboard(settings, client):
    settings.DEBUG = True
    call_command("cpd_demo")
    client.login(username="dsl@oakwood.test", password="cpd-demo")
    response = client.get("/schools/oakwood-primary/compliance/")
    counts = response.context["matrix"].counts
    assert {status for status, count in counts.items() if count} == {
        "compliant",
        "due_soon",
        "expired",
        "overdue",
        "in_progress",
        "induction_due",
    }


def test_cpd_demo_refused_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Refusing to create demo accounts with DEBUG off"):
        call_command("cpd_demo")
    assert Trust.objects.count() == 0


def test_cpd_demo_gives_the_dsl_pages_something_to_show(settings, client):
    settings.DEBUG = True
    call_command("cpd_demo")
    client.login(username="dsl@oakwood.test", password="cpd-demo")
    gaps = client.get("/schools/oakwood-primary/knowledge-gaps/").context["gaps"]
    assert sorted(gaps) == [
        "Safeguarding and child protection: annual update for all staff",
        "Safeguarding induction for new staff, volunteers and governors",
    ]
    assert all(gap.wrong >= 1 and gap.answered >= 3 for items in gaps.values() for gap in items)
    bulletins = client.get("/schools/oakwood-primary/bulletins/").context["bulletins"]
    assert [(b.title, b.read_count) for b in bulletins] == [
        ("Gaming chats and private messages", 3)
    ]
    records = client.get("/schools/oakwood-primary/records/").context["records"]
    assert [(r.title, r.status) for r in records] == [
        ("Safeguarding and protecting children in sport", "pending")
    ]


def test_cpd_demo_item_statistics_show_facility_and_discrimination(settings, client):
    """The demo's attempts are enough for the reviewers' page to show both figures."""
    settings.DEBUG = True
    call_command("cpd_demo")
    assert client.login(username="reviewer@northfield.test", password="cpd-demo")
    response = client.get("/course-statistics/annual-safeguarding-update/")
    assert response.status_code == 200
    stats = response.context["stats"]
    assert stats.attempts >= 10
    answered = [q for q in stats.questions if q.attempts]
    assert len(answered) >= 10
    assert sum(q.facility is not None for q in answered) == len(answered)
    assert sum(q.discrimination is not None for q in answered) >= 5
    assert "discrimination" in response.content.decode()


def test_cpd_demo_fills_oakwoods_arrangements_and_leaves_riversides_partly_empty(settings):
    from datetime import date

    from cpd.arrangements.policies import current_versions, school_todos
    from cpd.arrangements.selectors import sheet_for_school

    settings.DEBUG = True
    call_command("cpd_demo")
    oakwood = School.objects.get(slug="oakwood-primary")
    riverside = School.objects.get(slug="riverside-academy")
    on = date.today()
    todos = school_todos(schools=[oakwood, riverside], on=on)
    assert todos[oakwood.pk] == []
    assert todos[riverside.pk] == [
        "Staff can't see the number for children's social care.",
        "Staff can't see children's social care's out-of-hours number.",
        "Staff can't see who your LADO is.",
        "Staff can't see your Prevent contact.",
        "Staff can't see who covers out of hours.",
        "Staff have no child protection policy to read: publish it.",
    ]
    sheet = sheet_for_school(school=oakwood, on=on)
    assert [(lead.name, lead.phone) for lead in sheet.leads] == [
        ("David Okafor", "01632 960001"),
        ("Priya Patel", "01632 960002"),
    ]
    assert [v.policy.kind for v in current_versions(schools=[oakwood], on=on)[oakwood.pk]] == [
        "child_protection",
        "code_of_conduct",
    ]
