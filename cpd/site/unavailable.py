"""The product's own "try again in a moment" page, for the seconds the database is gone.

While PostgreSQL restarts (a failover, a minor upgrade) every query fails with
``OperationalError`` or ``InterfaceError``. A request caught in that gap gets a 503 with
``Retry-After`` and a page that says what to do, never a stack trace or the generic error
page; the API gets the same as JSON. The outage is logged once a minute per process, not
once a request. Connections recover by themselves: Django closes a connection that failed
at the end of the request and, with ``CONN_HEALTH_CHECKS``, checks a kept one before reuse,
so the next request after the database is back connects afresh, with no restart.

``DatabaseUnavailableMiddleware`` catches what views raise; ``server_error`` (the site's
``handler500``) catches what middleware raises (a session saved as the response leaves).
"""

import logging
import sys
import time

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from cpd.errors import Unavailable

logger = logging.getLogger("cpd.unavailable")

#: Seconds a client is asked to wait (the ``Retry-After`` header).
RETRY_AFTER = 10
LOG_EVERY = 60.0
_last_log = float("-inf")

DATABASE_GONE = (OperationalError, InterfaceError)


def unavailable_response(request, exc: BaseException) -> HttpResponse:
    global _last_log
    if isinstance(exc, Unavailable):
        return _response(request, exc.message, exc.retry_after)
    if time.monotonic() - _last_log >= LOG_EVERY:
        _last_log = time.monotonic()
        logger.warning(
            "The database is unreachable (%s); answering 503 until it is back",
            type(exc).__name__,
        )
    return _response(request, "", RETRY_AFTER)


def _response(request, message: str, seconds: int) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": message or "The service is recovering. Try again in a moment.",
                "code": "unavailable",
            },
            status=503,
        )
    else:
        # No request in the context: context processors (the signed-in user) would ask
        # the database again.
        response = HttpResponse(
            loader.render_to_string(
                "cpd/unavailable.html", {"seconds": seconds, "message": message}
            ),
            status=503,
        )
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (*DATABASE_GONE, Unavailable)):
            return unavailable_response(request, exception)
        return None


@requires_csrf_token
def server_error(request, template_name: str = "500.html"):
    """Django's 500 handler, except for a lost database: then the 503 page above."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_GONE):
        return unavailable_response(request, exc)
    try:
        template = loader.get_template(template_name)
    except Exception:  # noqa: BLE001 - as Django's own handler: no template, plain text
        return HttpResponseServerError(b"<h1>Server Error (500)</h1>", content_type="text/html")
    return HttpResponseServerError(template.render())


#: The django-allauth pages whose rate limits must count: sign-in and password reset.
COUNTED_SIGN_IN = {"account_login", "account_reset_password"}


class SignInPausedMiddleware:
    """Refuse a sign-in or password-reset form sent while the cache that counts their rate
    limits is unreachable (``cpd.accounts.throttle``): 503, try again in a minute. Every
    other page carries on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from cpd.accounts.throttle import sign_in_paused

        match = request.resolver_match
        if request.method != "POST" or match is None or match.url_name not in COUNTED_SIGN_IN:
            return None
        if not sign_in_paused():
            return None
        if match.url_name == "account_login":
            message = _("Signing in is paused for a minute while the site recovers.")
        else:
            message = _("Password resets are paused for a minute while the site recovers.")
        return _response(request, f"{message} {_('Try again in a minute.')}", 60)
