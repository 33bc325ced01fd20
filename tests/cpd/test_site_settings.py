"""The standalone site's settings come from the environment; these run manage.py in a
subprocess because settings are read once, at import."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7Gk2pQ9vR4tY8wZ1bN5mC3dF6hJ0lS-aE_uI9oP2qW4eR6tY8uI0oP",
    "ALLOWED_HOSTS": "cpd.example.org",
    "CPD_BASE_URL": "https://cpd.example.org",
    # Rate limits must count in a cache every process shares (system check cpd.W031).
    "CACHE_URL": "redis://127.0.0.1:6379/0",
}


def manage(*args: str, env: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests in this process; not for the site.
    unwanted = {"DJANGO_SETTINGS_MODULE", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unwanted}
    clean.update(env, CPD_VAR_DIR=str(tmp_path))
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_environment(tmp_path):
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_site_refuses_to_start_without_secret_key_when_debug_is_off(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode == 1
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_site_default_database_is_sqlite_in_var_with_wal(tmp_path):
    code = (
        "from django.db import connection; c = connection.cursor();"
        "print(connection.settings_dict['NAME']);"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0])"
    )
    result = manage("shell", "--no-imports", "-c", code, env={}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(tmp_path / "cpd.sqlite3"), "wal"]


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_site_rejects_an_unclear_debug_value(tmp_path, value):
    result = manage("check", env={"DEBUG": value}, tmp_path=tmp_path)
    assert result.returncode == 1
    assert f"DEBUG must be true or false, not {value!r}." in result.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "True 5"), ("true", "True 5"), ("false", "False None")],
)
def test_postgresql_statements_are_prepared_unless_turned_off(tmp_path, value, expected):
    code = (
        "from django.conf import settings; o = settings.DATABASES['default']['OPTIONS'];"
        "print(o['server_side_binding'], o['prepare_threshold'])"
    )
    env = {"DATABASE_URL": "postgres://cpd@db.example.org:5432/cpd"}
    if value is not None:
        env["DATABASE_PREPARED_STATEMENTS"] = value
    result = manage("shell", "--no-imports", "-c", code, env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


@pytest.mark.parametrize(
    ("cache_url", "expected"),
    [
        ("", "django.contrib.sessions.backends.db"),
        ("redis://cache.example.org:6379/0", "django.contrib.sessions.backends.cached_db"),
    ],
)
def test_sessions_are_cached_only_in_a_cache_every_process_shares(tmp_path, cache_url, expected):
    code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
    result = manage(
        "shell", "--no-imports", "-c", code, env={"CACHE_URL": cache_url}, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
