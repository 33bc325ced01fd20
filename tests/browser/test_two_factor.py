"""Two-factor authentication in the browser: a DSL at a school that requires it is held
at the set-up page until they turn it on, then signs in with a code from their app, and
with a recovery code."""

import base64
import hashlib
import hmac
import struct
import time
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from playwright.sync_api import expect

from cpd.models import SignInPolicy
from tests.browser.support import DESKTOP, check_page, sign_in
from tests.factories import PASSWORD


def authenticator_app_code(secret: str, at: float) -> str:
    """What an authenticator app shows (RFC 6238: HMAC-SHA1, 30 seconds, 6 digits)."""
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def next_time_window() -> float:
    """Wait for the app's next code: a code is accepted once only."""
    now = time.time()
    time.sleep(30 - now % 30 + 0.5)
    return time.time()


def time_with_room(seconds: float = 10) -> float:
    """Now, unless the app's code changes within ``seconds`` (the server would then check
    it against the next one): then the start of the next window."""
    now = time.time()
    return now if 30 - now % 30 > seconds else next_time_window()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")


@pytest.mark.django_db(transaction=True)
def test_dsl_must_set_up_two_factor_where_the_school_requires_it(new_page, school, dsl, staff):
    SignInPolicy.objects.create(school=school, require_two_factor=True)
    visited = []
    page = new_page(DESKTOP)

    # Held at the set-up page, whatever they ask for.
    sign_in(page, dsl.user.email, PASSWORD)
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    check_page(page, visited)
    page.goto(f"/schools/{school.slug}/compliance/")
    assert page.url.endswith("/accounts/2fa/totp/activate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")

    # A wrong code is refused and explained; the right one turns it on.
    page.get_by_label("Authenticator code").fill("000000")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.locator(".error-summary")).to_contain_text("Incorrect code.")
    check_page(page, visited)
    secret = page.get_by_label("Key").input_value()
    page.get_by_label("Authenticator code").fill(authenticator_app_code(secret, time_with_room()))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    check_page(page, visited)
    shown = page.locator(".recovery-codes code").all_inner_texts()
    rc = Authenticator.objects.get(user=dsl.user, type=Authenticator.Type.RECOVERY_CODES)
    assert shown == RecoveryCodes(rc).get_unused_codes()
    assert len(shown) == 10
    response = page.goto(f"/schools/{school.slug}/compliance/")
    assert response.status == 200
    assert page.url.endswith(f"/schools/{school.slug}/compliance/")

    # Signing in again asks for a code from the app...
    sign_out(page)
    sign_in(page, dsl.user.email, PASSWORD)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    check_page(page, visited)
    page.get_by_label("Code").fill(authenticator_app_code(secret, next_time_window()))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")  # the home page

    # ... or a recovery code, which then cannot be used again.
    sign_out(page)
    sign_in(page, dsl.user.email, PASSWORD)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.get_by_label("Code").fill(shown[0])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")  # the home page
    rc.refresh_from_db()
    assert RecoveryCodes(rc).get_unused_codes() == shown[1:]

    # Staff at the same school are not asked.
    sign_out(page)
    sign_in(page, staff.user.email, PASSWORD)
    page.wait_for_url(lambda url: urlsplit(url).path == "/")  # the home page
    assert Authenticator.objects.filter(user=staff.user).count() == 0
    assert visited == [
        "/accounts/2fa/totp/activate/",
        "/accounts/2fa/totp/activate/",
        "/accounts/2fa/recovery-codes/",
        "/accounts/2fa/authenticate/",
    ]
