"""A head teacher makes an API token for the HR system on a phone, copies the key, and
revokes it; each page gets an axe-core scan and a 320 px reflow check."""

import re

import pytest
from playwright.sync_api import expect

from cpd.accounts.tokens import api_key_digest
from cpd.models import ApiToken, Membership
from tests.browser.support import PHONE, check_page, sign_in
from tests.factories import PASSWORD, ApiTokenFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_admin_makes_names_and_revokes_an_api_token(new_page, transactional_db, school):
    head = MembershipFactory(
        school=school, role=Membership.Role.SCHOOL_ADMIN, user__email="head@oakwood.test"
    )
    ApiTokenFactory(user=head.user, name="Old dashboard")
    visited = []
    page = new_page(PHONE)
    sign_in(page, "head@oakwood.test", PASSWORD)

    page.goto("/api-token/")
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens for integrations")
    check_page(page, visited)

    page.get_by_role("button", name="Create a token").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Enter a name for the token, such as the system that will use it."
    )
    check_page(page, visited)

    page.get_by_label("Name").fill("HR system")
    page.get_by_label("30 days").check()
    page.get_by_role("button", name="Create a token").click()
    expect(page.get_by_role("status")).to_contain_text("Your new token “HR system”")
    key = page.locator(".banner code").inner_text()
    assert re.fullmatch(r"cpd_[A-Za-z0-9_-]{43}", key)
    assert ApiToken.objects.get(name="HR system").key_digest == api_key_digest(key)
    check_page(page, visited)

    page.get_by_role("region", name="HR system").get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revoke the token “HR system”?")
    check_page(page, visited)
    assert ApiToken.objects.filter(name="HR system").exists()  # not until confirmed
    page.get_by_role("button", name="Revoke the token").click()
    expect(page.get_by_text("The token “HR system” is revoked.")).to_be_visible()
    check_page(page, visited)
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["Old dashboard"]
    assert visited == ["/api-token/"] * 5
