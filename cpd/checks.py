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
