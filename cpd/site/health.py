"""Health checks for load balancers and monitoring. JSON, no sign-in, never cached.

``/health/`` — liveness: the process answers HTTP. Nothing else is asked, so a load
balancer or supervisor never restarts a healthy process because the database blinked.

``/health/ready/`` — readiness, and what each dependency is doing:

- ``database``: one query. Without it no page can be served: **503**.
- ``cache``: a PING to Redis (or a write and read of the local cache).
- ``storage``: writes and deletes a small object in the certificate storage.
- ``queue``: seconds the oldest due task has waited for a worker (``CPD_HEALTH_QUEUE_MAX_AGE``).

A failing cache, storage or queue makes the status ``degraded`` but keeps **200**: pages
still serve without them (``cpd.cache``, retried PDFs), and every web machine shares them,
so taking machines out of the pool would only turn a degraded site into no site. Alert on
``degraded``; route on the status code. A failing check gives its error class, never its
message (which could carry a host name or key).
"""

import socket
import time

from django.apps import apps
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cpd.conf import cpd_settings


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        detail = check() or {}
    except Exception as exc:  # noqa: BLE001 - any failure is reported, never raised
        result = {"ok": False, "error": type(exc).__name__}
    else:
        result = {"ok": True, **detail}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    if hasattr(cache, "ping"):
        cache.ping()
        return
    key = f"health:{socket.gethostname()}"
    cache.set(key, "ok", 10)
    if cache.get(key) != "ok":
        raise LookupError("cache")


def _storage() -> None:
    storage = storages[cpd_settings.CERTIFICATE_STORAGE]
    name = storage.save(f"health/probe-{socket.gethostname()}.txt", ContentFile(b"ok"))
    storage.delete(name)


def _queue() -> dict:
    if not apps.is_installed("django_tasks_db"):
        return {"oldest_seconds": 0}
    from django_tasks_db.models import DBTaskResult

    due = (
        DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", "run_after")
    )
    oldest = due.first()
    now = timezone.now()
    seconds = 0
    if oldest:
        enqueued_at, run_after = oldest
        seconds = max(0, round((now - max(enqueued_at, min(run_after, now))).total_seconds()))
    return {"oldest_seconds": seconds}


@never_cache
@require_safe
def health(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def ready(request):
    checks = {"database": _timed(_database), "cache": _timed(_cache)}
    checks["storage"] = _timed(_storage)
    if checks["database"]["ok"]:
        checks["queue"] = queue = _timed(_queue)
        if queue["ok"] and queue["oldest_seconds"] > cpd_settings.HEALTH_QUEUE_MAX_AGE:
            queue["ok"] = False
    if not checks["database"]["ok"]:
        status, code = "error", 503
    elif all(check["ok"] for check in checks.values()):
        status, code = "ok", 200
    else:
        status, code = "degraded", 200
    return JsonResponse({"status": status, "checks": checks}, status=code)
