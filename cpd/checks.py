import os
import sys
from pathlib import Path

from django.conf import settings
from django.core import checks


@checks.register()
def required_apps(app_configs, **kwargs):
    needed = ["django.contrib.auth", "django.contrib.sessions", "rest_framework",
              "courses", "certificates"]  # fmt: skip
    missing = [app for app in needed if app not in settings.INSTALLED_APPS]
    return [
        checks.Error(
            f"Safeguarding CPD needs {app!r} in INSTALLED_APPS.",
            hint="See 'Installing into an existing Django project' in the README.",
            id="cpd.E001",
        )
        for app in missing
    ]


@checks.register()
def base_url(app_configs, **kwargs):
    """Certificates are rendered by a worker with no request to take a host from: without
    ``CPD_BASE_URL`` their QR codes and printed links would have no domain, and scanning
    one would verify nothing. Required once DEBUG is off."""
    from cpd.conf import cpd_settings

    url = cpd_settings.BASE_URL
    if url and not url.startswith(("https://", "http://")):
        return [
            checks.Error(
                f"CPD_BASE_URL must be a full address starting https://, not {url!r}.",
                hint="For example CPD_BASE_URL = 'https://cpd.example.org'.",
                id="cpd.E010",
            )
        ]
    if not url and not settings.DEBUG:
        return [
            checks.Error(
                "CPD_BASE_URL is empty, so certificates' QR codes and links and the links in "
                "emails would have no domain.",
                hint="Set CPD_BASE_URL to the site's full address, e.g. https://cpd.example.org.",
                id="cpd.E011",
            )
        ]
    return []


@checks.register()
def no_store_middleware(app_configs, **kwargs):
    from cpd.middleware import NAME

    if NAME in settings.MIDDLEWARE:
        return []
    return [
        checks.Warning(
            f"{NAME!r} is not in MIDDLEWARE: pages, downloads and API answers carrying "
            "personal data may be kept by browsers and proxies.",
            hint="Add it after AuthenticationMiddleware. See 'Installing into an existing "
            "Django project' in the README.",
            id="cpd.W016",
        )
    ]


# Checks about how the site is deployed; cpd/site/wsgi.py also runs them when gunicorn loads
# the site (Django runs system checks only for management commands).
DEPLOYMENT_TAG = "cpd_deployment"

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache": "keeps its own count in each process",
    "django.core.cache.backends.dummy.DummyCache": "counts nothing, so no limit ever applies",
}


def _behind_gunicorn() -> bool:
    """gunicorn names itself in ``SERVER_SOFTWARE`` before loading the site; the shipped
    deployment (deploy/cpd.env.example) also sets its ``GUNICORN_*`` variables for the other
    commands it runs, such as ``migrate``."""
    if "gunicorn" in os.environ.get("SERVER_SOFTWARE", "").lower():
        return True
    if sys.argv and "gunicorn" in Path(sys.argv[0]).name.lower():
        return True
    return any(name.startswith("GUNICORN_") for name in os.environ)


@checks.register(DEPLOYMENT_TAG)
def trusted_proxies(app_configs, **kwargs):
    """Behind a reverse proxy every request arrives from the proxy's address: unless the
    site knows how many proxies to look through, all clients share one rate limit."""
    from cpd.conf import cpd_settings

    if settings.DEBUG or cpd_settings.TRUSTED_PROXY_COUNT or not _behind_gunicorn():
        return []
    return [
        checks.Warning(
            "The site runs under gunicorn with CPD_TRUSTED_PROXY_COUNT = 0, so rate limits "
            "take every request's client to be REMOTE_ADDR. Behind a reverse proxy that is "
            "the proxy itself: every client would share one limit.",
            hint="Set CPD_TRUSTED_PROXY_COUNT to the number of proxies in front of the site "
            "that append to X-Forwarded-For (1 for nginx on the same machine). See "
            "'Deploying for a trust' in the README.",
            id="cpd.W030",
        )
    ]


@checks.register(DEPLOYMENT_TAG)
def rate_limit_cache(app_configs, **kwargs):
    """Rate limits (certificate verification, the API's throttles) count in the cache; one
    each process keeps to itself multiplies every limit by the number of processes."""
    if settings.DEBUG:
        return []
    alias = getattr(settings, "RATELIMIT_USE_CACHE", "default")
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        checks.Warning(
            f"Rate limits count in the {alias!r} cache, {backend.rsplit('.', 1)[-1]}, which "
            f"{PER_PROCESS_CACHES[backend]}.",
            hint="Use a cache every web process shares, such as Redis (CACHE_URL=redis://... "
            "for the standalone site). See 'Deploying for a trust' in the README.",
            id="cpd.W031",
        )
    ]
