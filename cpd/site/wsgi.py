"""The WSGI application for gunicorn and other WSGI servers."""

import logging
import os

from django.core.checks import run_checks
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpd.site.settings")

application = get_wsgi_application()

# Import every view now rather than on a worker's first request: with gunicorn's
# preload_app the workers are forked already warm.
get_resolver().url_patterns  # noqa: B018 - evaluated for its import side effect

# Warn in the log about how the site is deployed (behind a proxy with no proxy count, rate
# limits in a per-process cache): Django runs its checks for commands, not for a WSGI server.
from cpd.checks import DEPLOYMENT_TAG  # noqa: E402 - after the settings are loaded

for _message in run_checks(tags=[DEPLOYMENT_TAG]):
    logging.getLogger("cpd").warning("%s", _message)
