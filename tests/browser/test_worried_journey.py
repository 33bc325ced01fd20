"""In a worrying moment: from any page, at 320 px, one tap to "Worried about a child?",
with the school's DSL and numbers. Then the DSL's side: keeping the arrangements and
publishing a policy, which staff read and confirm. Every page gets an axe-core scan and a
320 px reflow check (see ``support.check_page``)."""

from datetime import date

import pytest
from playwright.sync_api import expect

from cpd.arrangements.services import arrangements_update, lead_update
from cpd.models import PolicyConfirmation
from tests.browser.support import check_page, path_of, sign_in
from tests.factories import PASSWORD, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NARROW = {"width": 320, "height": 640}


@pytest.fixture
def arranged(transactional_db, school, dsl, staff):
    arrangements_update(
        actor=dsl.user, school=school, recording_system="CPOMS",
        childrens_social_care="Northshire Children's Front Door",
        childrens_social_care_phone="01632 960100", lado_contact="Northshire LADO team",
        lado_phone="01632 960200", prevent_phone="01632 960300",
    )  # fmt: skip
    lead_update(membership=dsl, actor=dsl.user, phone="01632 960001", where_to_find="Room 4")
    MembershipFactory(school=school, role="deputy_dsl", user__first_name="Priya",
                      user__last_name="Patel")  # fmt: skip
    return school


def test_staff_reach_worried_about_a_child_in_one_tap_at_320px(new_page, arranged, staff):
    page = new_page(NARROW)
    visited = []
    sign_in(page, staff.user.email, PASSWORD)
    for start in ("/training/", "/certificates/", "/training/records/"):
        page.goto(start)
        check_page(page, visited)
        link = page.get_by_role("link", name="Worried about a child?", exact=True)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320, box
        assert box["height"] >= 24, box  # WCAG 2.5.8: a target at least 24 px high
        link.click()  # the one tap
        assert path_of(page) == "/worried/"
        check_page(page, visited)
        main = page.locator("main")
        for text in ("David Okafor", "01632 960001", "Room 4", "Priya Patel", "01632 960100",
                     "01632 960200", "01632 960300", "999", "CPOMS"):  # fmt: skip
            expect(main).to_contain_text(text)
        expect(main.get_by_role("link", name="01632 960001")).to_have_attribute(
            "href", "tel:01632960001"
        )
    assert visited.count("/worried/") == 3


def test_the_dsl_keeps_the_arrangements_and_staff_confirm_a_policy(
    new_page, arranged, dsl, staff, media
):
    page = new_page(NARROW)
    visited = []
    sign_in(page, dsl.user.email, PASSWORD)
    page.goto(f"/schools/{arranged.slug}/compliance/")
    check_page(page, visited)
    expect(page.locator("#todo-heading")).to_have_text("To do: what staff can't see yet")
    page.get_by_role("link", name="Safeguarding arrangements").first.click()
    check_page(page, visited)
    page.get_by_label("Prevent contact").fill("Northshire Prevent team")
    page.get_by_label("LADO telephone").fill("ring the council")
    page.get_by_role("button", name="Save").click()
    check_page(page, visited)  # the error summary and the field's message pass axe too
    expect(page.locator(".error-summary")).to_contain_text("Enter a telephone number")
    page.get_by_label("LADO telephone").fill("01632 960200")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".banner")).to_contain_text("Your school's arrangements are saved.")

    page.goto(f"/schools/{arranged.slug}/policies/")
    check_page(page, visited)
    page.locator("#id_kind").select_option("code_of_conduct")
    page.get_by_label("Title").fill("Staff code of conduct")
    page.get_by_label("Version").fill("3.1")
    page.get_by_label("Effective from").fill(date.today().strftime("%d/%m/%Y"))
    page.get_by_label("Or write it out").fill("## Boundaries\n\nWe keep professional boundaries.")
    page.get_by_role("button", name="Publish").click()
    check_page(page, visited)
    expect(page.locator("main")).to_contain_text("0 of 3 staff confirmed")

    staff_page = new_page(NARROW)
    sign_in(staff_page, staff.user.email, PASSWORD)
    staff_page.goto("/policies/")
    check_page(staff_page, visited)
    staff_page.get_by_role("link", name="Staff code of conduct").click()
    check_page(staff_page, visited)
    expect(staff_page.locator("main h2")).to_have_text("Boundaries")
    staff_page.get_by_role("button", name="I have read this policy").click()
    check_page(staff_page, visited)
    expect(staff_page.locator("main")).to_contain_text("Confirmed")
    assert PolicyConfirmation.objects.filter(membership=staff).count() == 1


def test_a_trust_admin_sets_the_trusts_defaults(new_page, arranged, trust):
    from tests.factories import TrustRoleFactory

    admin = TrustRoleFactory(trust=trust)
    page = new_page(NARROW)
    visited = []
    sign_in(page, admin.user.email, PASSWORD)
    page.goto(f"/trusts/{trust.slug}/")
    check_page(page, visited)
    page.get_by_role(
        "link", name="The trust's arrangements and policies for all its schools"
    ).click()
    check_page(page, visited)
    page.get_by_label("Prevent contact").fill("Northfield Prevent lead")
    page.get_by_role("button", name="Save the defaults").click()
    check_page(page, visited)
    expect(page.locator(".banner")).to_contain_text("The trust's arrangements are saved.")
