"""Single sign-on, end to end in the browser, against a real OpenID Connect provider
(oidc-provider-mock) started on this machine: the redirect to it, the choice of identity
there, the callback (its state and PKCE verifier checked by django-allauth, the ID token's
nonce by the product, the provider requiring one), and what the product then does with the
verified email address."""

from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.utils import timezone
from oidc_provider_mock import User as ProviderUser
from oidc_provider_mock import run_server_in_thread
from playwright.sync_api import expect

from cpd.models import AuditEvent, Membership, SignInPolicy
from tests.browser.support import DESKTOP, check_page
from tests.factories import MembershipFactory

IDENTITIES = [
    "Sarah@Oakwood.test",  # staff, in another case than her account
    "nobody@oakwood.test",  # no account
    "tom@elsewhere.test",  # staff, on a domain the school does not use for sign-in
    "gone@oakwood.test",  # left the school
    "newstarter@oakwood.test",  # no account, for the school's automatic accounts
]


@pytest.fixture
def provider(settings):
    users = [ProviderUser(sub=e, claims={"email": e, "email_verified": True}) for e in IDENTITIES]
    with run_server_in_thread(require_nonce=True, user_claims=users) as server:
        settings.SOCIALACCOUNT_PROVIDERS = {
            "openid_connect": {
                "APPS": [
                    {
                        "provider_id": "trust",
                        "name": "Northfield Learning Trust",
                        "client_id": "cpd",
                        "secret": "cpd-secret",
                        "settings": {
                            "server_url": f"http://localhost:{server.server_port}",
                            "oauth_pkce_enabled": True,
                        },
                    }
                ]
            }
        }
        # The sign-in page's form goes on to the provider, so its Content-Security-Policy
        # must allow it (the standalone settings add the configured providers' addresses).
        settings.SECURE_CSP = {
            **settings.SECURE_CSP,
            "form-action": ["'self'", f"http://localhost:{server.server_port}"],
        }
        yield server


def sign_in_with_provider(page, identity: str, visited: list) -> None:
    page.goto("/accounts/login/")
    check_page(page, visited)
    page.get_by_role("button", name="Continue with Northfield Learning Trust").click()
    page.get_by_role("button", name=f"Authorize as {identity}").click()


@pytest.mark.django_db(transaction=True)
def test_single_sign_on_lets_in_only_people_the_school_has(new_page, provider, school, staff, dsl):
    policy = SignInPolicy.objects.create(
        school=school, providers="trust", email_domains="oakwood.test"
    )
    MembershipFactory(school=school, user__email="tom@elsewhere.test")
    MembershipFactory(
        school=school,
        user__email="gone@oakwood.test",
        started_on=date(2020, 9, 1),
        left_on=timezone.localdate() - timedelta(days=1),
    )
    User = get_user_model()
    users_before = User.objects.count()
    memberships_before = Membership.objects.count()
    visited = []

    # A known person (their address in any case) lands on their own page.
    page = new_page(DESKTOP)
    sign_in_with_provider(page, "Sarah@Oakwood.test", visited)
    page.wait_for_url(lambda url: urlsplit(url).path == "/")  # the home page
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Sarah")
    assert list(SocialAccount.objects.values_list("user__email", "provider")) == [
        ("sarah@oakwood.test", "trust")
    ]

    # Unknown, wrong domain, leaver: refused, each with its reason, and nothing made.
    refusals = {
        "nobody@oakwood.test": (
            "There is no account for nobody@oakwood.test",
            "Your school has not added this address yet. Ask your designated safeguarding "
            "lead, David Okafor (Oakwood Primary School), to add you.",
        ),
        "tom@elsewhere.test": (
            "Your school does not use this sign-in for tom@elsewhere.test",
            "Sign in with your email address and password, or with the service your school "
            "uses. Ask your designated safeguarding lead if you are not sure which.",
        ),
        "gone@oakwood.test": (
            "You are not a member of staff at any school here",
            "gone@oakwood.test has left every school that used this site. If you have joined "
            "another school, ask its designated safeguarding lead to add you.",
        ),
    }
    for identity, (title, message) in refusals.items():
        page = new_page(DESKTOP)
        sign_in_with_provider(page, identity, visited)
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        expect(page.locator("main p").first).to_have_text(message)
        check_page(page, visited)
        assert page.goto("/training/").url.endswith("/accounts/login/?next=/training/")
    assert User.objects.count() == users_before
    assert Membership.objects.count() == memberships_before
    assert SocialAccount.objects.count() == 1

    # Where the school allows automatic accounts, a new address on its domain joins it as
    # staff starting today (in induction), which the audit trail records.
    policy.automatic_accounts = True
    policy.save()
    page = new_page(DESKTOP)
    sign_in_with_provider(page, "newstarter@oakwood.test", visited)
    page.wait_for_url(lambda url: urlsplit(url).path == "/")  # the home page
    newcomer = Membership.objects.get(user__email="newstarter@oakwood.test")
    assert (newcomer.school, newcomer.role, newcomer.started_on) == (
        school,
        Membership.Role.STAFF,
        timezone.localdate(),
    )
    assert newcomer.user.has_usable_password() is False
    assert list(
        AuditEvent.objects.filter(action="cpd.membership.created").values_list(
            "school", "target_id"
        )
    ) == [(school.pk, str(newcomer.pk))]
    assert [path.split("?")[0] for path in visited] == ["/accounts/login/"] + [
        "/accounts/login/",
        "/accounts/oidc/trust/login/callback/",
    ] * 3 + ["/accounts/login/"]
