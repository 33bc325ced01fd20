"""A person who already had an account is invited by a second school's staff import:
they see the invitation on My training, accept it, and the school's staff list shows the
name the school typed. Every page gets an axe-core scan (``support.check_page``)."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from cpd.models import Membership
from cpd.people.imports.applying import staff_file_apply
from tests.browser.support import DESKTOP, check_page, sign_in
from tests.factories import PASSWORD, MembershipFactory, SchoolFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_invited_person_accepts_and_the_school_sees_its_own_name_for_them(
    new_page, transactional_db, school
):
    riverside = SchoolFactory(name="Riverside Academy", slug="riverside")
    dsl = MembershipFactory(
        school=riverside,
        role=Membership.Role.DSL,
        user=UserFactory(email="dsl@riverside.test", first_name="Rebecca", last_name="Stored"),
        started_on=date(2018, 9, 1),
    )
    admin = MembershipFactory(school=school, role=Membership.Role.SCHOOL_ADMIN)
    staff_file_apply(
        school=school,
        content=b"email,first name,last name,role,staff category,start date\n"
        b"dsl@riverside.test,Rita,Typed,staff,teaching,2025-09-01\n",
    )
    visited = []
    page = new_page(DESKTOP)
    sign_in(page, dsl.user.email, PASSWORD)
    page.wait_for_url(re.compile(r".*/$"))  # the home page
    page.goto("/training/")
    check_page(page, visited)
    banner = page.get_by_role("region", name="Schools waiting for you to join")
    expect(banner).to_contain_text("Oakwood Primary School")
    banner.get_by_role("link", name="Accept or decline").click()
    page.wait_for_url("**/invitations/")
    check_page(page, visited)
    page.get_by_role("button", name="Accept Oakwood Primary School").click()
    page.wait_for_url("**/invitations/")
    check_page(page, visited)
    expect(page.get_by_text("You have joined Oakwood Primary School.")).to_be_visible()
    assert Membership.objects.get(school=school, user=dsl.user).status == "joined"

    page.context.clear_cookies()
    sign_in(page, admin.user.email, PASSWORD)
    page.wait_for_url(re.compile(r".*/$"))
    page.goto(f"/schools/{school.slug}/staff/")
    check_page(page, visited)
    expect(page.get_by_role("rowheader", name="Rita Typed")).to_be_visible()
    assert visited == [
        "/training/",
        "/invitations/",
        "/invitations/",
        f"/schools/{school.slug}/staff/",
    ]
