"""The home page per role, the service navigation and the school switcher."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine

from courses.models import LessonProgress
from cpd.models import Bulletin, BulletinRead, ExternalRecord, Membership
from tests.factories import (
    CertificateFactory,
    CourseVersionFactory,
    EnrolmentFactory,
    LessonFactory,
    MembershipFactory,
    ModuleFactory,
    RequirementFactory,
    SchoolFactory,
    TrustFactory,
    TrustRoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
# The DSL's home: their training plan, the school's matrix and to-dos, the header.
HOME_QUERIES = 18


def text(response) -> str:
    html = response.content.decode()
    html = re.sub(r'<span class="visually-hidden">.*?</span>', "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def certified(membership, course, *, completed_on, expires_on):
    return CertificateFactory(
        enrolment__membership=membership,
        enrolment__course_version=course.versions.get(),
        completed_on=completed_on,
        expires_on=expires_on,
    )


@pytest.fixture
def courses():
    return {name: CourseVersionFactory(title=name, course__title=name).course for name in "ABCD"}


@time_machine.travel(NOON, tick=False)
def test_staff_home_says_what_to_do_next_for_each_requirement(client, sign_in, staff, courses):
    for name in "ABCD":
        RequirementFactory(course=courses[name], name=name, renewal_months=12, due_soon_days=30)
    certified(staff, courses["A"], completed_on=date(2025, 12, 10), expires_on=date(2026, 12, 10))
    certified(staff, courses["C"], completed_on=date(2026, 6, 1), expires_on=date(2027, 6, 1))
    version = courses["D"].versions.get()
    lessons = [LessonFactory(module=ModuleFactory(version=version)) for _ in range(4)]
    enrolment = EnrolmentFactory(membership=staff, course_version=version)
    LessonProgress.objects.create(
        enrolment=enrolment, lesson=lessons[0], started_at=NOON, completed_at=NOON
    )
    page = text(sign_in(staff).get("/"))
    assert "Hello, Sarah" in page
    assert "A Due soon — up to date until 10 December 2026, renew now ◷ Due soon Renew now" in page
    assert "B Not started — start now" in page and "Start now" in page
    assert "C Up to date until 1 June 2027 — renew from 2 May ✓ Up to date" in page
    assert "D In progress — 1 of 4 lessons done" in page
    assert "Courses in progress D 1 of 4 lessons done 25%" in page
    html = sign_in(staff).get("/").content.decode()
    assert '<progress max="4" value="1"' in html
    # The button starts the course for the school the requirement comes from.
    assert f'<input type="hidden" name="school" value="{staff.school.slug}">' in html
    # Staff have no school headline.
    assert "fully up to date" not in page


@time_machine.travel(NOON, tick=False)
def test_dsl_home_adds_the_schools_headline_and_to_dos(
    client, sign_in, school, staff, dsl, other_school
):
    course = CourseVersionFactory().course
    RequirementFactory(course=course, renewal_months=12, induction_days=30, due_soon_days=30)
    certified(dsl, course, completed_on=date(2026, 1, 5), expires_on=date(2027, 1, 5))
    ExternalRecord.objects.create(
        membership=staff, title="Elsewhere", provider="P", completed_on=date(2026, 1, 1)
    )
    bulletin = Bulletin.objects.create(
        school=school, title="Online safety", body="b", posted_by=dsl.user
    )
    # Another school's rows count for nothing here.
    MembershipFactory(school=other_school)
    ExternalRecord.objects.create(
        membership=MembershipFactory(school=other_school), title="X", provider="P",
        completed_on=date(2026, 1, 1),
    )  # fmt: skip
    page = text(sign_in(dsl).get("/"))
    assert "Oakwood Primary School 1 of 2 staff fully up to date" in page
    assert (
        "To do 1 person overdue or expired "
        "0 people's training runs out within 30 days "
        "1 person's training runs out within 60 days "
        "1 person's training runs out within 90 days "
        "1 record of training done elsewhere to verify "
        "1 person has not confirmed “Online safety”"
    ) in page
    # The DSL is not asked to confirm the bulletin they posted.
    assert "Safeguarding updates to read" not in page
    BulletinRead.objects.create(bulletin=bulletin, membership=staff)
    assert "0 people have not confirmed “Online safety”" in text(sign_in(dsl).get("/"))


def test_bulletin_page_does_not_ask_its_author_to_confirm(client, sign_in, school, dsl):
    bulletin = Bulletin.objects.create(school=school, title="T", body="b", posted_by=dsl.user)
    page = text(sign_in(dsl).get(f"/bulletins/{bulletin.pk}/"))
    assert "You posted this update." in page
    assert "I have read this update" not in page


def test_trust_admin_lands_on_the_trust_overview(client, sign_in, trust, school):
    admin = TrustRoleFactory(trust=trust).user
    response = sign_in(admin).get("/")
    assert response["Location"] == f"/trusts/{trust.slug}/"
    second = TrustFactory(name="Second Trust")
    TrustRoleFactory(trust=second, user=admin)
    page = text(sign_in(admin).get("/"))
    assert (
        "You oversee these trusts. Open one to see its schools. "
        "Northfield Learning Trust Second Trust" in page
    )
    my_training = text(sign_in(admin).get("/training/"))
    assert "You are not a member of a school, so no training is required of you." in my_training
    assert "not a member of a school yet" not in my_training


def test_a_superuser_without_a_school_is_offered_the_switcher(client, sign_in, school):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    page = text(sign_in(superuser).get("/"))
    assert "you can open any school's pages. Choose a school" in page


def test_service_navigation_by_role(client, sign_in, school, staff, dsl, admin):
    staff_page = sign_in(staff).get("/training/").content.decode()
    staff_links = re.findall(r'class="service-nav__link" href="([^"]+)"', staff_page)
    assert staff_links == ["/", "/training/", "/certificates/"]
    dsl_page = sign_in(dsl).get("/training/").content.decode()
    links = re.findall(r'class="service-nav__link" href="([^"]+)"', dsl_page)
    slug = school.slug
    assert links == [
        "/", "/training/", "/certificates/",
        f"/schools/{slug}/compliance/", f"/schools/{slug}/staff/", f"/schools/{slug}/bulletins/",
        f"/schools/{slug}/records/", f"/schools/{slug}/evidence/", f"/schools/{slug}/requirements/",
        f"/schools/{slug}/audit/",
    ]  # fmt: skip
    assert 'href="/training/" aria-current="page"' in dsl_page
    admin_page = sign_in(admin).get(f"/schools/{slug}/staff/").content.decode()
    assert f'href="/schools/{slug}/staff/" aria-current="page"' in admin_page
    assert 'class="service-nav__link" href="/api-token/"' in admin_page


def test_school_switcher_for_a_trust_admin_and_the_way_back_to_the_trust(
    client, sign_in, trust, school, other_school
):
    schools = [school] + [SchoolFactory(trust=trust, name=f"Academy {n:02d}") for n in range(49)]
    admin = TrustRoleFactory(trust=trust).user
    client = sign_in(admin)
    page = client.get("/schools/").content.decode()
    options = re.findall(r'<option value="([^"]+)"', page)
    assert options == [s.slug for s in sorted(schools, key=lambda s: s.name)]
    assert other_school.slug not in page
    assert client.get("/schools/", {"school": school.slug})["Location"] == (
        f"/schools/{school.slug}/compliance/"
    )
    refused = client.get("/schools/", {"school": other_school.slug})
    assert refused.status_code == 400
    assert "Choose a school from the list." in text(refused)
    # One "Change school" link, however many schools; and the way back to the trust.
    staff_page = client.get(f"/schools/{school.slug}/staff/").content.decode()
    assert staff_page.count("Change school") == 1
    assert (
        f'<a href="/trusts/{trust.slug}/">Northfield Learning Trust</a> '
        '<span aria-hidden="true">›</span> Oakwood Primary School'
    ) in staff_page
    # The school opened last stays in the navigation on pages of no school.
    assert f'href="/schools/{school.slug}/compliance/"' in client.get("/training/").content.decode()


@pytest.mark.parametrize("count", [1, 50])
def test_school_switcher_query_count(client, sign_in, trust, count, django_assert_num_queries):
    for _ in range(count):
        SchoolFactory(trust=trust)
    client = sign_in(TrustRoleFactory(trust=trust).user)
    client.get("/schools/")  # caches the header's links
    with django_assert_num_queries(2):  # the user, the schools
        response = client.get("/schools/")
    assert len(re.findall(r"<option ", response.content.decode())) == count


def test_staff_in_one_school_get_no_switcher(client, sign_in, staff):
    page = sign_in(staff).get("/").content.decode()
    assert "Change school" not in page
    assert Membership.objects.count() == 1


@pytest.mark.parametrize("staff_count", [1, 25])
def test_dsl_home_query_count(client, sign_in, school, dsl, staff_count, django_assert_num_queries):
    course = CourseVersionFactory().course
    RequirementFactory(course=course, renewal_months=12, induction_days=30)
    for _ in range(staff_count):
        certified(
            MembershipFactory(school=school), course,
            completed_on=date(2026, 1, 5), expires_on=date(2027, 1, 5),
        )  # fmt: skip
    Bulletin.objects.create(school=school, title="Online safety", body="b", posted_by=dsl.user)
    client = sign_in(dsl)
    client.get("/")  # caches the header's links
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get("/")
    assert response.context["home"].schools[0].staff == staff_count + 1
