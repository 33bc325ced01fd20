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
