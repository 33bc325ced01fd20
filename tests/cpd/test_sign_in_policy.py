"""Sign-in settings: who must use two-factor authentication, and what the requirement
holds them to."""

from datetime import date

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError

from cpd.accounts.policies import single_sign_on_check, two_factor_required
from cpd.models import Membership, SignInPolicy
from tests.factories import PASSWORD, MembershipFactory, TrustRoleFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("role", "required"),
    [
        (Membership.Role.STAFF, False),
        (Membership.Role.DSL, True),
        (Membership.Role.DEPUTY_DSL, True),
        (Membership.Role.SCHOOL_ADMIN, True),
    ],
)
def test_two_factor_required_for_roles_that_see_others_records(school, role, required):
    SignInPolicy.objects.create(school=school, require_two_factor=True)
    member = MembershipFactory(school=school, role=role)
    assert two_factor_required(user=member.user, on=TODAY) is required


def test_two_factor_required_by_the_trust_reaches_its_schools_and_admins(school, trust):
    SignInPolicy.objects.create(trust=trust, require_two_factor=True)
    dsl = MembershipFactory(school=school, role=Membership.Role.DSL)
    trust_admin = TrustRoleFactory(trust=trust)
    elsewhere = MembershipFactory(role=Membership.Role.DSL)
    assert two_factor_required(user=dsl.user, on=TODAY) is True
    assert two_factor_required(user=trust_admin.user, on=TODAY) is True
    assert two_factor_required(user=elsewhere.user, on=TODAY) is False


def test_two_factor_not_required_of_a_dsl_who_has_left(school):
    SignInPolicy.objects.create(school=school, require_two_factor=True)
    gone = MembershipFactory(school=school, role=Membership.Role.DSL, left_on=date(2026, 2, 1))
    assert two_factor_required(user=gone.user, on=TODAY) is False


def test_a_dsl_without_two_factor_reaches_only_its_set_up(client, school, dsl):
    SignInPolicy.objects.create(school=school, require_two_factor=True)
    client.post("/accounts/login/", {"login": dsl.user.email, "password": PASSWORD})
    for url in ["/training/", f"/schools/{school.slug}/compliance/", "/accounts/2fa/"]:
        response = client.get(url)
        if url == "/accounts/2fa/":
            assert response.status_code == 200
        else:
            assert response["Location"] == "/accounts/2fa/totp/activate/", url
    api = client.get(f"/api/v1/schools/{school.slug}/staff/")
    assert api.status_code == 403
    assert api.json() == {"detail": "Set up two-factor authentication before using the API."}
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"


def test_a_dsl_signed_in_through_single_sign_on_is_not_held(client, school, dsl):
    """The provider's own two-factor check counts: allauth records the method."""
    SignInPolicy.objects.create(school=school, require_two_factor=True)
    client.post("/accounts/login/", {"login": dsl.user.email, "password": PASSWORD})
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "socialaccount", "at": 0, "provider": "microsoft", "uid": "1"}
    ]
    session.save()
    assert client.get("/training/").status_code == 200


def test_a_dsl_who_set_up_two_factor_since_signing_in_goes_on(client, school, dsl):
    SignInPolicy.objects.create(school=school, require_two_factor=True)
    client.post("/accounts/login/", {"login": dsl.user.email, "password": PASSWORD})
    Authenticator.objects.create(user=dsl.user, type=Authenticator.Type.TOTP, data={})
    assert client.get("/training/").status_code == 200
    assert "cpd_two_factor_needed" not in client.session


def test_single_sign_on_check_allows_only_listed_provider_and_domain(school, staff):
    SignInPolicy.objects.create(school=school, providers="microsoft", email_domains="oakwood.test")
    allowed = single_sign_on_check(
        user=staff.user, provider="microsoft", email="sarah@oakwood.test", on=TODAY
    )
    assert allowed.schools == [school]
    other_provider = single_sign_on_check(
        user=staff.user, provider="google", email="sarah@oakwood.test", on=TODAY
    )
    assert (other_provider.schools, other_provider.current_schools) == ([], [school])
    other_domain = single_sign_on_check(
        user=staff.user, provider="microsoft", email="sarah@gmail.test", on=TODAY
    )
    assert other_domain.schools == []


def test_sign_in_settings_refuse_automatic_accounts_without_a_school_or_domain(trust, school):
    with pytest.raises(ValidationError) as trust_wide:
        SignInPolicy(trust=trust, automatic_accounts=True, email_domains="x.test").full_clean()
    assert trust_wide.value.message_dict == {
        "automatic_accounts": ["Automatic accounts need a school to join."]
    }
    with pytest.raises(ValidationError) as no_domain:
        SignInPolicy(school=school, automatic_accounts=True).full_clean()
    assert no_domain.value.message_dict == {
        "email_domains": ["Automatic accounts need at least one email domain."]
    }


def test_a_leaver_whose_account_is_linked_is_refused_by_single_sign_on(rf, school):
    """Someone who once signed in through the provider (their account linked) and has
    since left reaches no school."""
    from allauth.account.models import EmailAddress
    from allauth.core.exceptions import ImmediateHttpResponse
    from allauth.socialaccount.models import SocialAccount, SocialLogin
    from django.contrib.auth.models import AnonymousUser

    from cpd.accounts.adapter import SocialAccountAdapter

    SignInPolicy.objects.create(school=school, providers="trust", email_domains="oakwood.test")
    gone = MembershipFactory(
        school=school,
        user__email="gone@oakwood.test",
        started_on=date(2020, 9, 1),
        left_on=date(2024, 7, 31),
    )
    account = SocialAccount.objects.create(user=gone.user, provider="trust", uid="gone")
    login = SocialLogin(
        user=gone.user,
        account=account,
        email_addresses=[EmailAddress(email="gone@oakwood.test", verified=True)],
    )
    request = rf.get("/accounts/oidc/trust/login/callback/")
    request.user = AnonymousUser()
    with pytest.raises(ImmediateHttpResponse) as refused:
        SocialAccountAdapter().pre_social_login(request, login)
    assert refused.value.response.status_code == 403
    assert "You are not a member of staff at any school here" in (
        refused.value.response.content.decode()
    )


@pytest.mark.parametrize(
    ("sent", "returned", "refused"),
    [("n-1", "n-1", False), ("n-1", "n-2", True), (None, "n-1", True)],
)
def test_an_id_token_for_another_sign_in_is_refused(rf, school, staff, sent, returned, refused):
    """The nonce sent with the authorisation request must come back in the ID token."""
    from allauth.account.models import EmailAddress
    from allauth.core.exceptions import ImmediateHttpResponse
    from allauth.socialaccount.models import SocialAccount, SocialLogin
    from django.contrib.auth.models import AnonymousUser

    from cpd.accounts.adapter import NONCE_KEY, SocialAccountAdapter

    SignInPolicy.objects.create(school=school, providers="trust", email_domains="oakwood.test")
    account = SocialAccount.objects.create(
        user=staff.user,
        provider="trust",
        uid="sarah",
        extra_data={"id_token": {"sub": "sarah", "nonce": returned}, "userinfo": {}},
    )
    login = SocialLogin(
        user=staff.user,
        account=account,
        email_addresses=[EmailAddress(email="sarah@oakwood.test", verified=True)],
    )
    login.state = {NONCE_KEY: sent} if sent else {}
    request = rf.get("/accounts/oidc/trust/login/callback/")
    request.user = AnonymousUser()
    if refused:
        with pytest.raises(ImmediateHttpResponse) as error:
            SocialAccountAdapter().pre_social_login(request, login)
        assert "That sign-in could not be checked" in error.value.response.content.decode()
    else:
        assert SocialAccountAdapter().pre_social_login(request, login) is None
