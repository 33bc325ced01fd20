"""Throttling of sign-in and password-reset attempts, counted in Django's cache through
django-ratelimit (the same library that limits certificate verification).

Failed sign-ins are limited per email address (against guessing one person's password)
and per client address (against trying many people's). Successful sign-ins are not
counted. While a limit is reached, the password is not even checked.

Without its counts the limit protects nothing, so while the cache cannot be reached
(``cpd.cache``: Redis down) sign-in and password resets fail closed: refused, with a page
that says to try again in a minute. Reading pages carry on (``RATELIMIT_FAIL_OPEN``)."""

from django.conf import settings
from django.core.cache import caches
from django_ratelimit.core import get_usage, is_ratelimited

from cpd.cache import cache_unavailable
from cpd.conf import cpd_settings


def sign_in_paused() -> bool:
    """True while the cache that keeps the counts cannot be reached."""
    cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    cache.get("cpd.sign-in.probe")  # a failure here opens the cache's circuit breaker
    return cache_unavailable(cache)


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
