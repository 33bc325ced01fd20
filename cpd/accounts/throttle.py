"""Whether sign-in may go ahead: its rate limits (django-allauth's, ``ACCOUNT_RATE_LIMITS``)
count in Django's cache, and without its counts a limit protects nothing. So while the cache
cannot be reached (``cpd.cache``: Redis down) sign-in and password resets fail closed:
refused with a page that says to try again in a minute
(``cpd.site.unavailable.SignInPausedMiddleware``), while reading pages carries on
(``RATELIMIT_FAIL_OPEN``)."""

from django.conf import settings
from django.core.cache import caches

from cpd.cache import cache_unavailable


def sign_in_paused() -> bool:
    """True while the cache that keeps the counts cannot be reached."""
    cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    cache.get("cpd.sign-in.probe")  # a failure here opens the cache's circuit breaker
    return cache_unavailable(cache)
