"""The school and trust dashboards: filters, sorting, downloads, a person's record, knowledge
gaps; scoping with a second school; queries that do not grow with the staff."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from courses.models import Answer, Attempt
from cpd.dates import school_today
from cpd.models import Membership
from tests.factories import (
    PASSWORD,
    CertificateFactory,
    ChoiceFactory,
    CourseVersionFactory,
    EnrolmentFactory,
    MembershipFactory,
    QuestionFactory,
    RequirementFactory,
    SchoolFactory,
    TrustFactory,
    TrustRoleFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def induction_requirement():
    version = CourseVersionFactory(course__slug="induction", course__title="Induction")
    return RequirementFactory(
        name="Induction", course=version.course, renewal_months=None, induction_days=14
    )


@pytest.fixture
def people(school, induction_requirement):
    today = timezone.localdate()
    ada = MembershipFactory(
        school=school, user__first_name="Ada", user__last_name="Lovelace",
        role=Membership.Role.STAFF, staff_category="support", started_on=today - timedelta(days=3),
    )  # fmt: skip
    ben = MembershipFactory(
        school=school, user__first_name="Ben", user__last_name="Adams",
        role=Membership.Role.DEPUTY_DSL, staff_category="teaching",
        started_on=today - timedelta(days=100),
    )  # fmt: skip
    cat = MembershipFactory(
        school=school, user__first_name="=HYPERLINK(\"http://x\")", user__last_name="Zed",
        staff_category="teaching", started_on=today - timedelta(days=400),
    )  # fmt: skip
    CertificateFactory(
        enrolment__membership=cat,
        enrolment__course_version=induction_requirement.course.versions.get(),
        course=induction_requirement.course,
        completed_on=today - timedelta(days=390),
        expires_on=None,
    )
    return ada, ben, cat


def names(response):
    return [line.name for line in response.context["page"]]


def test_dashboard_lists_staff_by_surname_with_statuses(client, dsl, people):
    client.login(username=dsl.user.email, password=PASSWORD)
    response = client.get(f"/schools/{dsl.school.slug}/compliance/")
    assert names(response) == [
        "Ben Adams",
        "Ada Lovelace",
        "David Okafor",
        '=HYPERLINK("http://x") Zed',
    ]
    assert [[c.status for c in line.cells] for line in response.context["page"]] == [
        ["overdue"], ["induction_due"], ["overdue"], ["compliant"]
    ]  # fmt: skip
    assert response.context["matrix"].percent_up_to_date == 25


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=overdue", ["Ben Adams", "David Okafor"]),
        ("status=induction_due", ["Ada Lovelace"]),
        ("role=deputy_dsl", ["Ben Adams"]),
        ("category=support", ["Ada Lovelace"]),
        ("q=LOVE", ["Ada Lovelace"]),
        ("course=induction&status=compliant", ['=HYPERLINK("http://x") Zed']),
        ("sort=-name", ['=HYPERLINK("http://x") Zed', "David Okafor", "Ada Lovelace", "Ben Adams"]),
        (
            "sort=urgency",
            ["Ben Adams", "David Okafor", "Ada Lovelace", '=HYPERLINK("http://x") Zed'],
        ),
    ],
)
def test_dashboard_filters_and_sorts(client, dsl, people, query, expected):
    client.login(username=dsl.user.email, password=PASSWORD)
    response = client.get(f"/schools/{dsl.school.slug}/compliance/?{query}")
    assert names(response) == expected


def test_dashboard_unknown_filter_value_is_reported_and_ignored(client, dsl, people):
    client.login(username=dsl.user.email, password=PASSWORD)
    response = client.get(f"/schools/{dsl.school.slug}/compliance/?status=lost")
    assert response.context["form"].errors == {
        "status": ["Select a valid choice. lost is not one of the available choices."]
    }
    assert len(names(response)) == 4
    assert "There is a problem" in response.content.decode()


def test_dashboard_chart_and_table_carry_the_same_numbers(client, dsl, people):
    client.login(username=dsl.user.email, password=PASSWORD)
    response = client.get(f"/schools/{dsl.school.slug}/compliance/")
    [summary] = response.context["summaries"]
    assert (summary.total, summary.up_to_date, summary.percent_up_to_date) == (4, 1, 25)
    # Each segment starts where its share starts; all but the last leave a 0.6 gap.
    assert [(s["status"], s["count"], s["x"], s["width"]) for s in summary.segments] == [
        ("compliant", 1, 0, 24.4),
        ("induction_due", 1, 25.0, 24.4),
        ("overdue", 2, 50.0, 50.0),
    ]
    page = response.content.decode()
    assert '<title id="chart-' in page
    assert "Up to date: 1; In induction: 1; Overdue: 2</title>" in page


def test_dashboard_chart_takes_its_colours_from_the_stylesheet(client, dsl, people):
    client.login(username=dsl.user.email, password=PASSWORD)
    page = client.get(f"/schools/{dsl.school.slug}/compliance/").content.decode()
    chart = page[page.index('<figure class="chart">') : page.index("</figure>")]
    bars = ["status-compliant", "status-induction_due", "status-overdue"]
    assert re.findall(r'<rect class="([\w-]+)"', chart) == ["chart__track", *bars, *bars]
    assert "fill=" not in chart


def test_csv_download_opens_and_neutralises_formulas(client, dsl, people):
    client.login(username=dsl.user.email, password=PASSWORD)
    response = client.get(f"/schools/{dsl.school.slug}/compliance.csv?sort=-name")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "Surname", "First name", "Email", "Role", "Staff category", "Job title",
        "Induction: status", "Induction: due or expires",
    ]  # fmt: skip
    assert rows[1][:2] == ["Zed", '\'=HYPERLINK("http://x")']
    assert [r[0] for r in rows[1:]] == ["Zed", "Okafor", "Lovelace", "Adams"]


@pytest.mark.parametrize("first_name", ["=1+1", "+1", "-1", "@SUM(A1)"])
def test_xlsx_download_opens_and_neutralises_formulas(
    client, dsl, induction_requirement, first_name
):
    MembershipFactory(school=dsl.school, user__first_name=first_name, user__last_name="Aaron")
    client.login(username=dsl.user.email, password=PASSWORD)
    response = client.get(f"/schools/{dsl.school.slug}/compliance.xlsx")
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="oakwood-primary-school-compliance-{today}.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[1][:2] == ["Aaron", "'" + first_name]
    assert sheet.cell(row=2, column=2).data_type == "s"


def test_person_page_shows_the_whole_record(client, dsl, people):
    ada, ben, cat = people
    client.login(username=dsl.user.email, password=PASSWORD)
    response = client.get(f"/schools/{dsl.school.slug}/people/{cat.pk}/")
    record = response.context["record"]
    assert [c.pk for c in record.certificates] == [cat.certificates.get().pk]
    assert [r.status for r in record.rows] == ["compliant"]
    assert response.status_code == 200


def test_person_in_another_school_is_not_found(client, dsl, other_school):
    stranger = MembershipFactory(school=other_school)
    client.login(username=dsl.user.email, password=PASSWORD)
    assert client.get(f"/schools/{dsl.school.slug}/people/{stranger.pk}/").status_code == 404
    assert client.get(f"/schools/{other_school.slug}/people/{stranger.pk}/").status_code == 404


def test_person_record_counts_cpd_minutes_this_school_year(dsl):
    from cpd.compliance.selectors import cpd_record

    CertificateFactory(enrolment__membership=dsl, completed_on=date(2026, 9, 1), cpd_minutes=75)
    CertificateFactory(enrolment__membership=dsl, completed_on=date(2026, 8, 31), cpd_minutes=30)
    record = cpd_record(membership=dsl, on=date(2026, 11, 27))
    assert (record.year_start, record.minutes_this_year) == (date(2026, 9, 1), 75)


@pytest.mark.parametrize("staff_count", [1, 200])
def test_dashboard_query_count(
    client, dsl, induction_requirement, django_assert_num_queries, staff_count
):
    for _ in range(staff_count):
        MembershipFactory(school=dsl.school)
    client.login(username=dsl.user.email, password=PASSWORD)
    client.get(f"/schools/{dsl.school.slug}/compliance/")  # caches the header's links
    # 7; when the page's people were last reminded; 3 for the DSL's to-do: policies in
    # force, arrangements, DSLs and deputies; and certificates still waiting for their PDF.
    with django_assert_num_queries(12):
        response = client.get(f"/schools/{dsl.school.slug}/compliance/")
    assert response.context["page"].paginator.count == staff_count + 1


@pytest.mark.parametrize(("staff_count", "certificates"), [(1, 1), (200, 20)])
def test_person_page_query_count(
    client, dsl, induction_requirement, django_assert_num_queries, staff_count, certificates
):
    for _ in range(staff_count):
        MembershipFactory(school=dsl.school)
    for _ in range(certificates):
        CertificateFactory(enrolment__membership=dsl)
    client.login(username=dsl.user.email, password=PASSWORD)
    client.get(f"/schools/{dsl.school.slug}/people/{dsl.pk}/")  # caches the header's links
    # 10; certificates from other schools are their own query; and the school policies
    # the person has confirmed.
    with django_assert_num_queries(12):
        client.get(f"/schools/{dsl.school.slug}/people/{dsl.pk}/")


def test_trust_dashboard_shows_only_the_trusts_schools(client, trust, school, other_school, people):
    second = SchoolFactory(name="Riverside Academy", trust=trust)
    MembershipFactory(school=second, started_on=date(2020, 1, 1))
    MembershipFactory(school=other_school)
    admin = TrustRoleFactory(trust=trust)
    client.login(username=admin.user.email, password=PASSWORD)
    response = client.get(f"/trusts/{trust.slug}/")
    rows = [(s.school.name, s.staff, s.percent_up_to_date) for s in response.context["summaries"]]
    assert rows == [("Oakwood Primary School", 3, 33), ("Riverside Academy", 1, 0)]
    assert client.get(f"/schools/{second.slug}/compliance/").status_code == 200
    assert client.get(f"/schools/{other_school.slug}/compliance/").status_code == 404


def test_trust_dashboard_of_another_trust_is_not_found(client, trust):
    admin = TrustRoleFactory(trust=TrustFactory())
    client.login(username=admin.user.email, password=PASSWORD)
    assert client.get(f"/trusts/{trust.slug}/").status_code == 404


def test_trust_dashboard_refused_to_a_dsl(client, dsl, trust):
    client.login(username=dsl.user.email, password=PASSWORD)
    assert client.get(f"/trusts/{trust.slug}/").status_code == 404


@pytest.mark.parametrize("schools", [1, 8])
def test_trust_dashboard_query_count(
    client, trust, induction_requirement, django_assert_num_queries, schools
):
    for _ in range(schools):
        MembershipFactory(school=SchoolFactory(trust=trust))
    admin = TrustRoleFactory(trust=trust)
    client.login(username=admin.user.email, password=PASSWORD)
    client.get(f"/trusts/{trust.slug}/")  # caches the header's links
    # 9, and 3 for each school's to-do: policies, arrangements, DSLs and deputies.
    with django_assert_num_queries(12):
        client.get(f"/trusts/{trust.slug}/")


def test_knowledge_gaps_rank_this_schools_wrong_answers(client, dsl, other_school):
    version = CourseVersionFactory(course__title="Recognising grooming")
    hard, easy = (
        QuestionFactory(version=version, prompt="Hard?"),
        QuestionFactory(version=version, prompt="Easy?"),
    )
    for question in (hard, easy):
        ChoiceFactory(question=question, is_correct=True)

    def answer(membership, question, correct):
        enrolment = EnrolmentFactory(
            membership=membership, course_version=version, status="withdrawn"
        )
        attempt = Attempt.objects.create(
            enrolment=enrolment, number=1, served=[], started_at=timezone.now(),
            submitted_at=timezone.now(),
        )  # fmt: skip
        Answer.objects.create(attempt=attempt, question=question, correct=correct)

    for correct in (False, False, True, False):
        answer(MembershipFactory(school=dsl.school), hard, correct)
    for correct in (True, True, False):
        answer(MembershipFactory(school=dsl.school), easy, correct)
    for _ in range(5):
        answer(MembershipFactory(school=other_school), easy, False)
    client.login(username=dsl.user.email, password=PASSWORD)
    response = client.get(f"/schools/{dsl.school.slug}/knowledge-gaps/")
    gaps = response.context["gaps"]
    assert [
        (g.prompt, g.wrong, g.answered, g.percent_wrong) for g in gaps["Recognising grooming"]
    ] == [
        ("Hard?", 3, 4, 75),
        ("Easy?", 1, 3, 33),
    ]


def test_dashboard_pages_keep_the_filters(client, dsl, induction_requirement):
    for n in range(55):
        MembershipFactory(school=dsl.school, user__last_name=f"Staff{n:02d}", role="staff")
    client.login(username=dsl.user.email, password=PASSWORD)
    response = client.get(f"/schools/{dsl.school.slug}/compliance/?role=staff&page=2")
    assert (response.context["page"].number, len(response.context["page"])) == (2, 5)
    page = response.content.decode()
    assert 'href="?role=staff&amp;page=1#staff">Previous page</a>' in page
    assert "Page 2 of 2" in page


def test_the_dashboard_counts_from_today_where_the_school_is(client, dsl):
    """Half past noon in London is already tomorrow in Auckland: a school there is judged
    on its own date, and one in London on London's."""
    noon_utc = datetime(2030, 3, 4, 12, 30, tzinfo=UTC)
    with time_machine.travel(noon_utc, tick=False):
        client.force_login(dsl.user)
        london = client.get(f"/schools/{dsl.school.slug}/compliance/").context["matrix"].on
        dsl.school.timezone = "Pacific/Auckland"
        dsl.school.save(update_fields=["timezone"])
        auckland = client.get(f"/schools/{dsl.school.slug}/compliance/").context["matrix"].on
        assert (london, auckland) == (date(2030, 3, 4), date(2030, 3, 5))
        assert school_today(dsl.school) == date(2030, 3, 5)
