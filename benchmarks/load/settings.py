"""The standalone site's settings, plus one trivial view for the load test's baseline.
Only `make load` uses this module; the product's URLs never include the trivial view."""

from cpd.site.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.load.urls"

# The load test speaks plain HTTP on 127.0.0.1 (no TLS terminator in front), so the cookies
# cannot be Secure-only; everything else is the production configuration.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# Every simulated person signs in from 127.0.0.1, over and over: far more sign-ins a minute
# from one address than a school's staff behind their one public address would make.
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "login": "6000/m/ip"}  # noqa: F405
