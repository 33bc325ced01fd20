"""Every error the API gives is JSON: ``{"detail": <a sentence a person can read>,
"code": <machine-readable>, "fields": {<field>: [<message>, ...]}}`` (``fields`` only when
the request body or query had invalid fields). Refusals raised by our services (a learner
breaking the rules, a bad staff file) become 400s here, so views need no try/except."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from cpd.errors import CPDError
from cpd.people.imports.rows import StaffImportError


def _flatten(data, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error structure as ``{"answers.0.choices": ["..."]}``."""
    if isinstance(data, dict):
        flat: dict[str, list[str]] = {}
        for key, value in data.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(data, list):
        if all(not isinstance(item, dict | list) for item in data):
            return {prefix or "non_field_errors": [str(item) for item in data]}
        flat = {}
        for index, value in enumerate(data):
            flat.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "non_field_errors": [str(data)]}


class _ProductError(exceptions.APIException):
    """A ``CPDError`` answered with its own status, code and message."""

    def __init__(self, error: CPDError):
        self.status_code = error.status
        super().__init__(error.message or None, code=error.code)


def exception_handler(exc, context):
    if isinstance(exc, StaffImportError):  # every problem, by row and column
        return Response(
            {
                "detail": _("The file was not imported: %(count)d problem(s). Nothing was saved.")
                % {"count": len(exc.problems)},
                "code": exc.code,
                "errors": [p.as_dict() for p in exc.problems],
            },
            status=exc.status,
        )
    if isinstance(exc, CPDError):
        exc = _ProductError(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found, or not visible to you."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(response.data)
        general = fields.pop("non_field_errors", [])
        sentences = general + [f"{name}: {' '.join(msgs)}" for name, msgs in fields.items()]
        response.data = {
            "detail": " ".join(sentences) or _("The request is not valid."),
            "code": "invalid",
            "fields": fields,
        }
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = {
            "detail": str(detail) or str(exc),
            "code": codes if isinstance(codes, str) else "error",
        }
    return response


@csrf_exempt  # it changes nothing, and must answer in JSON whatever the method
def not_found(request, *args, **kwargs):
    """Any address under /api/v1/ that is not an endpoint: a JSON 404, not an HTML page."""
    return JsonResponse(
        {"detail": _("There is no API endpoint at this address."), "code": "not_found"},
        status=404,
    )
