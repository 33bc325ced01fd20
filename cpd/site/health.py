"""``/health/``: is this web process able to serve? For load balancers and uptime checks.

It runs one database query and asks the certificate storage something cheap (a HEAD
request for the bucket on S3, a folder check on disk, ``exists`` elsewhere). JSON, no
sign-in, never cached; 200 when every check passes, 503 otherwise, with the failing check's
error class (never its message, which could carry a host name or key).
"""

import os
import time

from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cpd.conf import cpd_settings

PROBE_NAME = "health/probe"


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # noqa: BLE001 - any failure makes the process unhealthy
        result = {"ok": False, "error": type(exc).__name__}
    else:
        result = {"ok": True}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _storage() -> None:
    storage = storages[cpd_settings.CERTIFICATE_STORAGE]
    if isinstance(storage, FileSystemStorage):
        location = storage.location
        os.makedirs(location, exist_ok=True)
        if not os.access(location, os.W_OK | os.X_OK):
            raise PermissionError(location)
    elif hasattr(storage, "bucket_name") and hasattr(storage, "connection"):
        # django-storages' S3: a missing key and a missing bucket both make exists() False,
        # so ask about the bucket itself (one HEAD request).
        storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
    else:
        storage.exists(PROBE_NAME)


@never_cache
@require_safe
def health(request):
    checks = {"database": _timed(_database), "storage": _timed(_storage)}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks},
        status=200 if healthy else 503,
    )
