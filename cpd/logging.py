"""Structured logs: one JSON object a line, each carrying the id of the request it belongs to.

``RequestIdMiddleware`` takes the id from an ``X-Request-ID`` header a proxy set (if it looks
like one) or makes one, returns it in the response's ``X-Request-ID``, and, when access
logging is on, logs one ``cpd.request`` line per request with its status and duration.
``RequestIdFilter`` copies the id onto every record logged while the request runs, and
``JsonFormatter`` writes the record as JSON. The standalone site wires these up through
``LOG_FORMAT=json`` (the default with DEBUG off).
"""

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str] = ContextVar("cpd_request_id", default="")

_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
access_logger = logging.getLogger("cpd.request")

# Attributes every LogRecord has; anything else was passed through ``extra=`` and is kept.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "") or request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class RequestIdMiddleware:
    """Put a request id on the request, its logs and its response; optionally log access."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.log_access = getattr(settings, "LOG_REQUESTS", False)

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            if self.log_access:
                access_logger.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )
            return response
        finally:
            request_id_var.reset(token)
