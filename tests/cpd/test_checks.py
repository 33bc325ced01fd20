"""The deployment checks: no proxy count behind gunicorn, rate limits in a per-process
cache."""

import os

import pytest
from django.core.checks import run_checks

from cpd.checks import DEPLOYMENT_TAG

REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}


@pytest.fixture
def not_gunicorn(monkeypatch):
    for name in list(os.environ):
        if name.startswith("GUNICORN_") or name == "SERVER_SOFTWARE":
            monkeypatch.delenv(name)
    return monkeypatch


def _ids():
    return [message.id for message in run_checks(tags=[DEPLOYMENT_TAG])]


@pytest.mark.parametrize(
    ("debug", "env", "proxies", "expected"),
    [
        (False, {"SERVER_SOFTWARE": "gunicorn/27.0.1"}, 0, ["cpd.W030"]),
        (False, {"GUNICORN_BIND": "127.0.0.1:8000"}, 0, ["cpd.W030"]),
        (False, {"SERVER_SOFTWARE": "gunicorn/27.0.1"}, 1, []),
        (True, {"SERVER_SOFTWARE": "gunicorn/27.0.1"}, 0, []),
        (False, {}, 0, []),
    ],
)
def test_proxy_check_warns_under_gunicorn_without_a_proxy_count(
    settings, not_gunicorn, debug, env, proxies, expected
):
    settings.DEBUG = debug
    settings.CACHES = REDIS
    settings.CPD_TRUSTED_PROXY_COUNT = proxies
    for name, value in env.items():
        not_gunicorn.setenv(name, value)
    assert _ids() == expected


@pytest.mark.parametrize(
    ("debug", "backend", "expected"),
    [
        (False, "django.core.cache.backends.locmem.LocMemCache", ["cpd.W031"]),
        (False, "django.core.cache.backends.dummy.DummyCache", ["cpd.W031"]),
        (False, "django.core.cache.backends.redis.RedisCache", []),
        (True, "django.core.cache.backends.locmem.LocMemCache", []),
    ],
)
def test_cache_check_warns_when_rate_limits_count_per_process(
    settings, not_gunicorn, debug, backend, expected
):
    settings.DEBUG = debug
    settings.CACHES = {"default": {"BACKEND": backend}}
    assert _ids() == expected


def test_cache_check_names_the_cache_and_what_it_does(settings, not_gunicorn):
    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    [message] = run_checks(tags=[DEPLOYMENT_TAG])
    assert message.msg == (
        "Rate limits count in the 'default' cache, LocMemCache, which keeps its own count in "
        "each process."
    )
