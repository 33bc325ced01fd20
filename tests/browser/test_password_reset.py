"""Forgotten password, in the browser: each page in the product's layout and axe-clean."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.support import DESKTOP, check_page, sign_in


@pytest.mark.django_db(transaction=True)
def test_staff_member_resets_a_forgotten_password(new_page, staff, live_server):
    visited = []
    page = new_page(DESKTOP)
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.wait_for_url("**/accounts/password/reset/")
    check_page(page, visited)
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator(".error-summary")).to_contain_text("Enter your email address.")
    check_page(page, visited)
    page.get_by_label("Email address").fill("Sarah@Oakwood.test")
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_url("**/accounts/password/reset/done/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    check_page(page, visited)

    [message] = mail.outbox
    assert message.to == ["sarah@oakwood.test"]
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", message.body).group(0)
    page.goto(link.replace(re.match(r"https?://[^/]+", link).group(0), live_server.url))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    check_page(page, visited)
    page.get_by_label("New password", exact=True).fill("a-new-long-passphrase")
    page.get_by_label("New password again").fill("a-new-long-passphrase")
    page.get_by_role("button", name="Save password").click()
    page.wait_for_url("**/accounts/password/reset/key/done/")
    check_page(page, visited)

    sign_in(page, "sarah@oakwood.test", "a-new-long-passphrase")
    page.wait_for_url(lambda url: urlsplit(url).path == "/")  # the home page
    assert [v.split("/accounts/password/reset/key/")[0] for v in visited] == [
        "/accounts/password/reset/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "",
        "",
    ]
