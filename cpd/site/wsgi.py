"""The WSGI application for gunicorn and other WSGI servers."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpd.site.settings")

application = get_wsgi_application()

# Import every view now rather than on a worker's first request: with gunicorn's
# preload_app the workers are forked already warm.
get_resolver().url_patterns  # noqa: B018 - evaluated for its import side effect
