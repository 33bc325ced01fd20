"""Throttling of sign-in and password-reset attempts, counted in Django's cache through
django-ratelimit (the same library that limits certificate verification).

Failed sign-ins are limited per email address (against guessing one person's password)
and per client address (against trying many people's). Successful sign-ins are not
counted. While a limit is reached, the password is not even checked."""

from django_ratelimit.core import get_usage, is_ratelimited

from cpd.conf import cpd_settings


def _key_email(group, request):
    return (request.POST.get("username") or request.POST.get("email") or "").strip().lower()


def login_blocked(request) -> bool:
    """True once the failures counted so far have reached a limit."""
    for group, key, rate in _login_limits():
        usage = get_usage(request, group=group, key=key, rate=rate, method="POST")
        if usage is not None and usage["count"] >= usage["limit"]:
            return True
    return False


def login_failed(request) -> None:
    for group, key, rate in _login_limits():
        is_ratelimited(request, group=group, key=key, rate=rate, method="POST", increment=True)


def _login_limits():
    return [
        ("cpd.login.email", _key_email, cpd_settings.LOGIN_FAILURES_PER_EMAIL),
        ("cpd.login.ip", "ip", cpd_settings.LOGIN_FAILURES_PER_IP),
    ]


def password_reset_blocked(request) -> bool:
    """Counts every request; True once the address or the client has asked too often."""
    rate = cpd_settings.PASSWORD_RESET_RATE
    by_email = is_ratelimited(
        request, group="cpd.reset.email", key=_key_email, rate=rate, method="POST", increment=True
    )
    by_ip = is_ratelimited(
        request, group="cpd.reset.ip", key="ip", rate=rate, method="POST", increment=True
    )
    return by_email or by_ip
