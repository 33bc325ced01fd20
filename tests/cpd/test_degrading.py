"""Degrade, don't break: what a member of staff sees while the database or the cache is
gone. The database going away is made at its edge (a query wrapper that raises what
psycopg raises on a lost connection); the cache is a Redis client pointed at a port where
nothing listens. The same faults with real servers are in tests/faults/."""

import logging

import pytest
from django.core.cache import caches
from django.db import OperationalError, connection
from django.test import Client

from cpd.cache import ResilientRedisCache, cache_unavailable
from tests.factories import PASSWORD
from tests.scale.processes import free_port


def _database_gone(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


def test_page_during_a_database_restart_is_the_try_again_page(staff, sign_in):
    client = sign_in(staff)
    with connection.execute_wrapper(_database_gone):
        response = client.get("/training/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "<h1>Try again in a moment</h1>" in page
    assert "Wait 10 seconds, then try again." in page
    assert "Traceback" not in page and "OperationalError" not in page


def test_api_during_a_database_restart_answers_json_503(staff, sign_in):
    client = sign_in(staff)
    with connection.execute_wrapper(_database_gone):
        response = client.get("/api/v1/schools/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response.json() == {
        "detail": "The service is recovering. Try again in a moment.",
        "code": "unavailable",
    }


def test_error_raised_outside_a_view_gets_the_try_again_page_too(staff, settings):
    """A session saved as the response leaves (SessionMiddleware) fails outside any view:
    the site's 500 handler still answers 503 for a lost database."""
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.login(username=staff.user.email, password=PASSWORD)
    client.get("/training/")
    with connection.execute_wrapper(_database_gone):
        response = client.post("/accounts/logout/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "Try again in a moment" in response.content.decode()


def test_the_same_page_serves_again_once_the_database_is_back(staff, sign_in):
    client = sign_in(staff)
    with connection.execute_wrapper(_database_gone):
        assert client.get("/training/").status_code == 503
    assert client.get("/training/").status_code == 200


@pytest.fixture
def dead_redis(settings):
    """The site's cache pointed at a Redis that is not running."""
    settings.CACHES = {
        "default": {
            "BACKEND": "cpd.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    cache = caches["default"]
    assert isinstance(cache, ResilientRedisCache)
    return cache


def test_cache_without_redis_answers_empty_and_logs_once(dead_redis, caplog):
    with caplog.at_level(logging.WARNING, logger="cpd.cache"):
        assert dead_redis.get("lesson", "default") == "default"
        dead_redis.set("lesson", 1)
        assert dead_redis.add("count", 1) is False
        with pytest.raises(ValueError, match="not found"):
            dead_redis.incr("count")
        assert "lesson" not in dead_redis
        for _ in range(20):
            dead_redis.get("lesson")
    assert cache_unavailable(dead_redis) is True
    assert [r.getMessage() for r in caplog.records] == [
        "The cache is unreachable (ConnectionError); serving without it, sign-in refused"
    ]


def test_signed_in_pages_serve_without_redis_sessions_from_the_database(
    staff, dead_redis, settings
):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client = Client()
    client.force_login(staff.user)
    response = client.get("/training/")
    assert response.status_code == 200
    assert response.context["user"] == staff.user


def test_sign_in_is_refused_while_the_cache_is_down(staff, dead_redis):
    response = Client().post("/accounts/login/", {"login": staff.user.email, "password": PASSWORD})
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert (
        "Signing in is paused for a minute while the site recovers. Try again in a minute."
        in response.content.decode()
    )
    assert "_auth_user_id" not in Client().session


def test_certificate_verification_serves_without_the_cache(db, dead_redis):
    response = Client().get("/verify/no-such-code/")
    assert response.status_code == 404  # the not-found page, not a 429 or a 500
