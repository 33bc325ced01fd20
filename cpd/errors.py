"""The product's own errors. Services raise these, never ``Http404`` or a DRF exception;
a page and the API each map them to their own response (``cpd.tenancy`` for pages,
``cpd.api.errors`` for JSON), so one rule gives one answer in both.

``code`` is machine-readable and stable (the API returns it); ``message`` is a sentence a
person can read, already translated.

Each kind is also the Django exception a page answers with (``NotFound`` is an ``Http404``,
``NotAllowed`` a ``PermissionDenied``, ``Refused`` a ``BadRequest``), so a page that does not
catch one still gives the right status through Django's own handlers, with no middleware for
a host project to install. The API's handler maps them first, by their ``status`` and
``code``."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404


class CPDError(Exception):
    """A request the product's rules refuse. Subclasses choose how it is answered."""

    #: The HTTP status both sides answer with.
    status = 400
    code = "refused"

    def __init__(self, message: str = "", *, code: str | None = None):
        super().__init__(message)
        self.message = str(message)
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class NotFound(CPDError, Http404):
    """The object does not exist, or the actor may not know that it does: another school's
    record is indistinguishable from a missing one."""

    status = 404
    code = "not_found"


class NotAllowed(CPDError, PermissionDenied):
    """The actor can see the object but may not do this to it."""

    status = 403
    code = "permission_denied"


class Refused(CPDError, BadRequest):
    """The rules refuse the request as made (a learner too early for another attempt, a
    file with bad rows). The message says what is wrong."""

    status = 400
    code = "refused"


class Conflict(CPDError, BadRequest):
    """The request no longer matches the stored state (a stale preview, a double submit)."""

    status = 409  # a page shows it as a 400: Django has no conflict exception
    code = "conflict"


class Unavailable(CPDError):
    """Something the request needs is down for a moment (storage refusing writes), and the
    same request will work later: 503 with ``Retry-After``. The standalone site's
    ``cpd.site.unavailable`` middleware shows it as the "try again in a moment" page; the
    API answers it as JSON."""

    status = 503
    code = "unavailable"
    retry_after = 60
