"""django-allauth, fitted to schools: nobody signs up (schools add their people), every
rate limit counts by the one client address (cpd.accounts.addresses), and a single
sign-on reaches only a person a school already has, unless the school lets its own domain
in (cpd.models.SignInPolicy)."""

import re
import secrets
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from cpd.accounts.addresses import client_ip
from cpd.accounts.policies import (
    automatic_account_school,
    schools_for_domain,
    single_sign_on_check,
)
from cpd.conf import cpd_settings
from cpd.models import Membership
from cpd.people.services import membership_create


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _(
            "Enter the email address and password for your account. The password is case sensitive."
        ),
        "too_many_login_attempts": _(
            "Too many failed attempts to sign in. Wait 15 minutes, or reset your password."
        ),
    }

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request) -> str:
        return client_ip(request)

    def populate_username(self, request, user) -> None:
        # People sign in with their email address, which is also their username.
        user.email = (user.email or "").strip().lower()
        user.username = user.email

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Setting up two-factor authentication straight after signing in (as those who
        must are sent to do) needs no second password: a sign-in in the last few minutes
        (ACCOUNT_REAUTHENTICATION_TIMEOUT) counts as the reauthentication."""
        request = context.request
        if app == "allauth.mfa" and request is not None and request.user.is_authenticated:
            records = get_authentication_records(request, request.user)
            if (
                records
                and time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT
            ):
                return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        context = {**context, "site_name": cpd_settings.SITE_NAME}
        super().send_mail(template_prefix, email, context)

    def get_from_email(self) -> str:
        return cpd_settings.FROM_EMAIL or super().get_from_email()


def _verified_email(sociallogin) -> str:
    for address in sociallogin.email_addresses:
        if address.verified and address.email:
            return address.email.strip().lower()
    return ""


def _refuse(request, *, title: str, message: str, email: str = ""):
    response = render(
        request,
        "cpd/accounts/sso_refused.html",
        {"title": title, "message": message, "email": email},
        status=403,
    )
    raise ImmediateHttpResponse(response)


def _who_to_ask(email: str) -> str:
    schools = schools_for_domain(email=email)
    leads = list(
        Membership.objects.current(timezone.localdate())
        .filter(school__in=schools, role=Membership.Role.DSL)
        .select_related("user", "school")
        .order_by("school__name", "user__last_name")
    )
    if leads:
        names = ", ".join(
            f"{m.user.get_full_name() or m.user.email} ({m.school.name})" for m in leads
        )
        return _("Ask your designated safeguarding lead, %(names)s, to add you.") % {"names": names}
    if schools:
        return _("Ask the office at %(schools)s to add you.") % {
            "schools": ", ".join(s.name for s in schools)
        }
    return _("Ask your school's designated safeguarding lead or office to add you.")


NONCE_KEY = "cpd_oidc_nonce"


class NonceOpenIDConnectProvider(OpenIDConnectProvider):
    """django-allauth's OpenID Connect provider, sending a nonce with the authorisation
    request and keeping it with the sign-in's state, so that an ID token made for another
    sign-in (replayed) is refused in SocialAccountAdapter.pre_social_login."""

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = secrets.token_urlsafe(24)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params = {**auth_params, "nonce": nonce}
        return super().redirect(
            request,
            process,
            next_url,
            data,
            auth_params=auth_params,
            **{NONCE_KEY: nonce},
            **kwargs,
        )


def _check_nonce(request, sociallogin) -> None:
    id_token = (sociallogin.account.extra_data or {}).get("id_token")
    if not isinstance(id_token, dict):
        return  # not OpenID Connect (or no ID token): nothing to check
    expected = (sociallogin.state or {}).get(NONCE_KEY)
    if not expected or not secrets.compare_digest(str(id_token.get("nonce", "")), expected):
        _refuse(
            request,
            title=_("That sign-in could not be checked"),
            message=_("Start again from the sign-in page."),
        )


PROVIDER_ID = re.compile(r"[A-Za-z0-9_.-]{1,200}")


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_provider(self, request, provider, client_id=None):
        # A provider id comes from the address (/accounts/oidc/<id>/login/): one that could
        # not be any provider's is no provider, never a database error (a NUL byte, say).
        if not PROVIDER_ID.fullmatch(provider or ""):
            raise Http404("No such sign-in provider.")
        instance = super().get_provider(request, provider, client_id=client_id)
        if type(instance) is OpenIDConnectProvider:
            instance.__class__ = NonceOpenIDConnectProvider
        return instance

    def pre_social_login(self, request, sociallogin) -> None:
        _check_nonce(request, sociallogin)
        provider = sociallogin.account.provider
        email = _verified_email(sociallogin)
        if not email:
            _refuse(
                request,
                title=_("Your sign-in service did not confirm your email address"),
                message=_(
                    "Sign in with your email address and password, or ask your school's IT "
                    "lead why the service does not share a confirmed address."
                ),
            )
        on = timezone.localdate()
        user = sociallogin.user if sociallogin.is_existing else None
        if user is None:
            user = (
                get_user_model()._default_manager.filter(email__iexact=email).order_by("pk").first()
            )
        if user is None:
            if automatic_account_school(provider=provider, email=email):
                return  # allauth makes the account; save_user adds the membership
            _refuse(
                request,
                title=_("There is no account for %(email)s") % {"email": email},
                message=_("Your school has not added this address yet.") + " " + _who_to_ask(email),
                email=email,
            )
        check = single_sign_on_check(user=user, provider=provider, email=email, on=on)
        if not check.schools:
            if check.current_schools:
                _refuse(
                    request,
                    title=_("Your school does not use this sign-in for %(email)s")
                    % {"email": email},
                    message=_(
                        "Sign in with your email address and password, or with the service "
                        "your school uses. Ask your designated safeguarding lead if you are "
                        "not sure which."
                    ),
                    email=email,
                )
            _refuse(
                request,
                title=_("You are not a member of staff at any school here"),
                message=_(
                    "%(email)s has left every school that used this site. If you have "
                    "joined another school, ask its designated safeguarding lead to add you."
                )
                % {"email": email},
                email=email,
            )
        if not sociallogin.is_existing:
            sociallogin.connect(request, user)

    def is_open_for_signup(self, request, sociallogin) -> bool:
        email = _verified_email(sociallogin)
        return bool(
            email and automatic_account_school(provider=sociallogin.account.provider, email=email)
        )

    @transaction.atomic
    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        school = automatic_account_school(provider=sociallogin.account.provider, email=user.email)
        if school is not None:
            membership_create(
                user=user,
                school=school,
                role=Membership.Role.STAFF,
                staff_category=Membership.StaffCategory.TEACHING,
                started_on=timezone.localdate(),
                actor=user,
            )
        return user
