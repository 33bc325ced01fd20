"""Production serving: the health check, request ids, JSON logs, and what the site's
settings choose from the environment (read in a subprocess: settings are read once)."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from cpd.logging import JsonFormatter, RequestIdFilter, request_id_var

REPO = Path(__file__).resolve().parents[2]


def test_health_answers_json_without_sign_in_and_is_never_cached(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert response.json() == {"status": "ok"}


def test_health_asks_nothing_but_the_process(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/health/").status_code == 200


def test_readiness_reports_each_dependency(client, db, media):
    response = client.get("/health/ready/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert sorted(body["checks"]) == ["cache", "database", "queue", "storage"]
    assert [body["checks"][name]["ok"] for name in sorted(body["checks"])] == [True] * 4
    assert body["checks"]["queue"]["oldest_seconds"] == 0
    assert list(media.rglob("*.txt")) == []  # the storage probe cleans up after itself


def test_health_refuses_post(client, db):
    assert client.post("/health/").status_code == 405
    assert client.post("/health/ready/").status_code == 405


def test_health_reports_storage_it_cannot_write_to(client, db, settings, tmp_path):
    not_a_folder = tmp_path / "media"
    not_a_folder.write_text("a file where the media folder should be")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(not_a_folder)},
        },
    }
    response = client.get("/health/ready/")
    # Degraded, not down: pages serve and PDFs are retried, so the load balancer keeps
    # sending traffic while monitoring sees the problem.
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert (body["checks"]["storage"]["ok"], body["checks"]["storage"]["error"]) == (
        False,
        "NotADirectoryError",
    )
    assert body["checks"]["database"]["ok"] is True


def test_request_id_is_made_or_kept_and_returned(client, db):
    made = client.get("/health/")["X-Request-ID"]
    assert len(made) == 32
    kept = client.get("/health/", headers={"X-Request-ID": "lb-1234abcd"})
    assert kept["X-Request-ID"] == "lb-1234abcd"
    replaced = client.get("/health/", headers={"X-Request-ID": "<script>"})
    assert replaced["X-Request-ID"] != "<script>"


def test_access_log_line_carries_request_id_status_and_duration(db, settings, caplog):
    settings.LOG_REQUESTS = True
    with caplog.at_level(logging.INFO, logger="cpd.request"):
        response = Client().get("/health/", headers={"X-Request-ID": "trace-0001"})
    [record] = [r for r in caplog.records if r.name == "cpd.request"]
    assert record.getMessage() == "GET /health/ 200"
    assert (record.method, record.path, record.status) == ("GET", "/health/", 200)
    assert record.duration_ms >= 0
    assert response["X-Request-ID"] == "trace-0001"


def test_json_formatter_writes_one_object_with_request_id_and_extras():
    record = logging.makeLogRecord(
        {"name": "certificates", "levelname": "WARNING", "msg": "Certificate %s gone",
         "args": (7,), "serial": "CPD-2026-000007"}
    )  # fmt: skip
    token = request_id_var.set("abc123def456")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    entry = json.loads(JsonFormatter().format(record))
    assert entry.pop("time").endswith("+00:00")
    assert entry == {
        "level": "WARNING",
        "logger": "certificates",
        "message": "Certificate 7 gone",
        "request_id": "abc123def456",
        "serial": "CPD-2026-000007",
    }


def test_json_formatter_includes_the_exception():
    try:
        raise ValueError("bad")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert entry["exception"].splitlines()[-1] == "ValueError: bad"


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7Gk2pQ9vR4tY8wZ1bN5mC3dF6hJ0lS-aE_uI9oP2qW4eR6tY8uI0oP",
    "ALLOWED_HOSTS": "cpd.example.org",
    "DATABASE_URL": "postgres://cpd@db.internal:5432/cpd",
}

SHOW = (
    "from django.conf import settings as s;"
    "d = s.DATABASES['default'];"
    "print(s.STORAGES['staticfiles']['BACKEND'], s.TASKS['default']['BACKEND'],"
    " s.LOGGING['handlers']['console']['formatter'], s.LOG_REQUESTS, d['CONN_MAX_AGE'],"
    " d['CONN_HEALTH_CHECKS'], 'django_tasks_db' in s.INSTALLED_APPS,"
    " s.MIDDLEWARE[:3] == ['cpd.logging.RequestIdMiddleware',"
    " 'django.middleware.security.SecurityMiddleware',"
    " 'whitenoise.middleware.WhiteNoiseMiddleware'], s.SECURE_REDIRECT_EXEMPT)"
)


def show(env: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "DATABASE_URL"}
        and not k.startswith(("TASKS_", "LOG_", "STORAGE", "CACHE_URL"))
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="cpd.site.settings", CPD_VAR_DIR=str(tmp_path))
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {SHOW}"],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_choose_the_production_stack(tmp_path):
    result = show(PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "cpd.site.task_backend.RetryingDatabaseBackend",
        "json",
        "True",
        "60",
        "True",
        "True",
        "True",
        "['^health/(ready/)?$']",
    ]


def test_development_settings_run_tasks_immediately_with_plain_logs(tmp_path):
    result = show({}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:4] == [
        "django.contrib.staticfiles.storage.StaticFilesStorage",
        "django.tasks.backends.immediate.ImmediateBackend",
        "plain",
        "False",
    ]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TASKS_BACKEND": "celery"}, "TASKS_BACKEND must be database or immediate, not 'celery'."),
        ({"STORAGE_BACKEND": "ftp"}, "STORAGE_BACKEND must be filesystem or s3, not 'ftp'."),
        ({"STORAGE_BACKEND": "s3"}, "STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME."),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT must be plain or json, not 'xml'."),
        (
            {"CACHE_URL": "memcached://x"},
            "CACHE_URL must start with redis://, not 'memcached://x'.",
        ),
    ],
)
def test_site_rejects_unclear_production_settings(tmp_path, env, message):
    result = show(env, tmp_path)
    assert result.returncode == 1
    assert message in result.stderr
