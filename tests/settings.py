"""Settings for the test suite: the standalone site's settings with the edges of the world
swapped for local ones (email in memory, files in a temporary folder, fast hashing)."""

import os
import tempfile

os.environ.setdefault("DEBUG", "true")

from cpd.site.settings import *  # noqa: E402,F403

if os.environ.get("CPD_TEST_DATABASE_URL"):
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(os.environ["CPD_TEST_DATABASE_URL"])}
    # As the standalone site runs PostgreSQL: prepared statements, parameters bound on the
    # server.
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.path.join(tempfile.gettempdir(), "cpd-test.sqlite3"),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
            # A file, not memory, so that tests with several threads share it; in a folder
            # of its own so that test runs side by side never meet.
            "TEST": {"NAME": os.path.join(tempfile.mkdtemp(prefix="cpd-test-"), "db.sqlite3")},
        }
    }

MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="cpd-test-media-")
CPD_BASE_URL = "https://cpd.example.org"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Sessions as a trust's site keeps them, read from a cache every web process shares (its
# Redis): the suite is one process, so its own cache is shared by every request.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Single sign-on configured as a site would be, so that its pages exist and answer (the
# browser test points "trust" at a real OpenID Connect provider it starts).
INSTALLED_APPS += [  # noqa: F405
    "allauth.socialaccount.providers.microsoft",
    "allauth.socialaccount.providers.google",
]
SOCIALACCOUNT_PROVIDERS = {
    "microsoft": {"APPS": [{"client_id": "test-microsoft", "secret": "test-secret"}]},
    "google": {"APPS": [{"client_id": "test-google", "secret": "test-secret"}]},
    "openid_connect": {
        "APPS": [
            {
                "provider_id": "trust",
                "name": "Oakwood Trust",
                "client_id": "test-oidc",
                "secret": "test-secret",
                "settings": {"server_url": "http://127.0.0.1:9/", "oauth_pkce_enabled": True},
            }
        ]
    },
}
