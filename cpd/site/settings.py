"""Settings for the standalone Safeguarding CPD site, read from environment variables.

Every variable is listed in the README's settings table. With none set, the site runs in
DEBUG mode on a SQLite file in ./var/ and prints emails to the console.
"""

import importlib.util
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


VAR_DIR = Path(os.environ.get("CPD_VAR_DIR", Path.cwd() / "var")).resolve()
REPO_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "cpd",
    "courses",
    "certificates",
    # Accounts (after cpd, whose templates replace allauth's): sign-in, password reset,
    # single sign-on and two-factor authentication. See "Signing in" in the README.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
]

MIDDLEWARE = [
    "cpd.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cpd.middleware.NoStoreMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "cpd.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Sign-in and password reset wait while their rate limits cannot be counted (Redis down).
    "cpd.site.unavailable.SignInPausedMiddleware",
    # A request caught while the database restarts gets a 503 "try again" page.
    "cpd.site.unavailable.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "cpd.site.urls"
WSGI_APPLICATION = "cpd.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # From a source checkout the templates sit at the top of the repository; an
        # installed wheel carries them inside cpd/templates, found through APP_DIRS.
        "DIRS": [REPO_TEMPLATES] if REPO_TEMPLATES.is_dir() else [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cpd.sqlite3'}"),
        # Persistent connections, checked before reuse after each request.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Prepared statements: parameters are sent separately (server-side binding) and psycopg
    # prepares a statement once a connection has run it five times, so PostgreSQL stops
    # parsing and planning the queries every page repeats (the lesson page's enrolment
    # query: 270 us a time unprepared, 100 us prepared). Django leaves both off, for
    # connection poolers: set DATABASE_PREPARED_STATEMENTS=false behind PgBouncer in
    # transaction mode (unless it keeps prepared statements, max_prepared_statements).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
        if env_bool("DATABASE_PREPARED_STATEMENTS", True)
        else {"server_side_binding": False, "prepare_threshold": None}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several web processes and a worker write to the same file: WAL lets readers carry on
    # while one writes, IMMEDIATE transactions take the write lock up front (no deadlocked
    # upgrades), and the timeout makes writers wait instead of failing with "locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    VAR_DIR.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "cpd:home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth, as the README's "Signing in" says: email and password (any case), no
# sign-up (schools add their people), single sign-on through the providers below, and
# two-factor authentication (TOTP and recovery codes).
ACCOUNT_ADAPTER = "cpd.accounts.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "cpd.accounts.adapter.SocialAccountAdapter"
ACCOUNT_FORMS = {
    "login": "cpd.accounts.forms.LoginForm",
    "reset_password": "cpd.accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "cpd.accounts.forms.ResetPasswordKeyForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = True  # sessions last SESSION_COOKIE_AGE
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Failed sign-ins: 30 per client address and 5 per email address in 15 minutes (a correct
# password clears its email's count). Password-reset requests: 20 per client address a
# minute, 5 per email address an hour. Client addresses come from CPD_TRUSTED_PROXY_COUNT.
# Sign-ins of any outcome: 120 a minute per client address, since a school's whole staff
# reach the site from its one public address at nine on an INSET morning.
ACCOUNT_RATE_LIMITS = {
    "login": "120/m/ip",
    "login_failed": "30/15m/ip,5/15m/key",
    "reset_password": "20/m/ip,5/h/key",
}
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Safeguarding CPD"
# Single sign-on for the standalone site: set a provider's client id (and secret) to offer
# it. Which schools may use which provider, and for which email domains, is set per trust
# or school in the admin (Sign-in settings).
SOCIALACCOUNT_PROVIDERS = {}
if os.environ.get("SSO_MICROSOFT_CLIENT_ID"):
    INSTALLED_APPS.append("allauth.socialaccount.providers.microsoft")
    SOCIALACCOUNT_PROVIDERS["microsoft"] = {
        "APPS": [
            {
                "client_id": os.environ["SSO_MICROSOFT_CLIENT_ID"],
                "secret": os.environ.get("SSO_MICROSOFT_SECRET", ""),
                "settings": {"tenant": os.environ.get("SSO_MICROSOFT_TENANT", "organizations")},
            }
        ],
        "SCOPE": ["User.Read", "openid", "email", "profile"],
    }
if os.environ.get("SSO_GOOGLE_CLIENT_ID"):
    INSTALLED_APPS.append("allauth.socialaccount.providers.google")
    SOCIALACCOUNT_PROVIDERS["google"] = {
        "APPS": [
            {
                "client_id": os.environ["SSO_GOOGLE_CLIENT_ID"],
                "secret": os.environ.get("SSO_GOOGLE_SECRET", ""),
            }
        ],
        "SCOPE": ["openid", "email", "profile"],
    }
if os.environ.get("SSO_OIDC_SERVER_URL"):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": os.environ.get("SSO_OIDC_ID", "trust"),
                "name": os.environ.get("SSO_OIDC_NAME", "your trust"),
                "client_id": os.environ.get("SSO_OIDC_CLIENT_ID", ""),
                "secret": os.environ.get("SSO_OIDC_SECRET", ""),
                "settings": {
                    "server_url": os.environ["SSO_OIDC_SERVER_URL"],
                    "oauth_pkce_enabled": True,
                },
            }
        ]
    }

# The site speaks British English only. Django would otherwise choose among the hundred
# languages it ships from the browser's Accept-Language, and a member of staff whose
# browser prefers Polish would read Django's own words (form errors, month names) in
# Polish around the product's English: a mixed page. So one language, and no
# LocaleMiddleware to negotiate it.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English")]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def _require(module: str, why: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise ImproperlyConfigured(
            f"{why} needs the {module!r} package: "
            "pip install 'django-safeguarding-cpd[production]'."
        )


# Static files: WhiteNoise serves them from every web process (no separate file server);
# with DEBUG off they are compressed and get hashed names, so browsers cache them for ever.
# With DEBUG on, runserver serves them from the apps' folders as usual.
if DEBUG:
    MIDDLEWARE.remove("whitenoise.middleware.WhiteNoiseMiddleware")
else:
    _require("whitenoise", "Serving static files with DEBUG off")
    # ManifestStaticFilesStorage skips the compression (a much quicker collectstatic).
    STORAGES["staticfiles"]["BACKEND"] = os.environ.get(
        "STATICFILES_BACKEND", "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )

# Uploaded and generated files (logos, certificate PDFs, evidence packs): local disk by
# default; STORAGE_BACKEND=s3 keeps them in an S3-compatible bucket, so that web processes
# and workers on several machines see the same files.
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "filesystem")
if STORAGE_BACKEND == "s3":
    _require("storages", "STORAGE_BACKEND=s3")
    _require("boto3", "STORAGE_BACKEND=s3")
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME.")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            # Empty: AWS itself. Set for MinIO, Ceph, Cloudflare R2, Wasabi, ...
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            # Empty keys: boto3 finds credentials itself (instance role, ~/.aws, ...).
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("AWS_LOCATION", ""),
            # Private objects; the site streams them after its own permission checks.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
        },
    }
elif STORAGE_BACKEND != "filesystem":
    raise ImproperlyConfigured(
        f"STORAGE_BACKEND must be filesystem or s3, not {STORAGE_BACKEND!r}."
    )

EMAIL_BACKEND_PATH = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH}}
if EMAIL_BACKEND_PATH == "django.core.mail.backends.smtp.EmailBackend":
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Safeguarding CPD <cpd@localhost>")

# Content Security Policy without inline script or style.
SECURE_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}

# Single sign-on posts the sign-in page's form on to the provider: allow its address.
for _origin in (
    "https://login.microsoftonline.com" if "microsoft" in SOCIALACCOUNT_PROVIDERS else "",
    "https://accounts.google.com" if "google" in SOCIALACCOUNT_PROVIDERS else "",
    "/".join(os.environ.get("SSO_OIDC_SERVER_URL", "").split("/")[:3]),
):
    if _origin:
        SECURE_CSP["form-action"].append(_origin)

SESSION_COOKIE_AGE = 60 * 60 * 8  # a working day
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^health/(ready/)?$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Background work (certificate PDFs, emails, evidence packs). "database": a queue in the
# site's own database, run by `manage.py db_worker` processes on any machine that reaches
# it (django-tasks-db; failed tasks are retried with backoff, see cpd/site/task_backend.py).
# "immediate": run in the process that enqueued it, after commit -- for tests and quick
# trials only, since the web request then waits for the PDF.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate" if DEBUG else "database")
if TASKS_BACKEND == "database":
    _require("django_tasks_db", "TASKS_BACKEND=database")
    INSTALLED_APPS.append("django_tasks_db")
    TASKS = {
        "default": {
            "BACKEND": "cpd.site.task_backend.RetryingDatabaseBackend",
            "OPTIONS": {
                "MAX_ATTEMPTS": int(os.environ.get("TASKS_MAX_ATTEMPTS", "5")),
                "RETRY_DELAY": float(os.environ.get("TASKS_RETRY_DELAY", "10")),
                # A running task's worker renews its lease every HEARTBEAT seconds; every
                # worker puts back tasks whose lease is LEASE seconds old (task_backend.py).
                "LEASE": float(os.environ.get("TASKS_LEASE", "30")),
                "HEARTBEAT": float(os.environ.get("TASKS_HEARTBEAT", "5")),
                "SWEEP_EVERY": float(os.environ.get("TASKS_SWEEP_EVERY", "10")),
            },
        }
    }
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be database or immediate, not {TASKS_BACKEND!r}."
    )

# A cache shared by every web process (rate limits on certificate verification count per
# client across all of them): CACHE_URL=redis://host:6379/0. Empty: each process its own.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    _require("redis", "CACHE_URL=redis://...")
    # While Redis is down the cache answers as an empty one (cpd/cache.py): pages serve,
    # sessions come from the database, sign-in is refused; a dead server costs 1 s at most.
    CACHES = {
        "default": {
            "BACKEND": "cpd.cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
elif CACHE_URL:
    raise ImproperlyConfigured(f"CACHE_URL must start with redis://, not {CACHE_URL!r}.")

# Rate limits whose count the cache cannot keep (Redis down) let reading pages through;
# sign-in checks the cache itself and refuses while it is down (cpd/accounts/throttle.py).
RATELIMIT_FAIL_OPEN = True

# With a shared cache, sessions are read from it and written through to the database, so
# most requests spend no query on them. Without one they stay in the database alone: each
# web process would keep its own copy of a session, and signing out through one would
# leave the others signed in until the copy expired.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if CACHE_URL
    else "django.contrib.sessions.backends.db"
)

# The API needs no REST_FRAMEWORK or SPECTACULAR_SETTINGS: its views carry their own
# (cpd/api/base.py, cpd/api/schema.py).

# Required without DEBUG (a system check): certificates' QR codes need a domain. With DEBUG
# (the demo), the address `make run` serves.
CPD_BASE_URL = os.environ.get("CPD_BASE_URL", "http://127.0.0.1:8000" if DEBUG else "")

# How many reverse proxies or load balancers in front of the site append to X-Forwarded-For
# (1 for nginx on the same machine, 2 for a load balancer in front of that). 0: none, the
# client is REMOTE_ADDR. Every per-client rate limit uses it (see "Deploying for a trust").
CPD_TRUSTED_PROXY_COUNT = int(os.environ.get("CPD_TRUSTED_PROXY_COUNT") or "0")

# Logs go to standard error: "json" (the default with DEBUG off) writes one JSON object a
# line with the request id (see cpd/logging.py); "plain" is for people reading a terminal.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}.")
# One log line per request (method, path, status, duration), from cpd.logging.
LOG_REQUESTS = env_bool("LOG_REQUESTS", not DEBUG)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "cpd.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "cpd.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "django.tasks": {"level": "WARNING", "handlers": ["console"], "propagate": False},
        "django_tasks_db": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}
