"""A Redis cache that degrades instead of breaking: while Redis is down, pages carry on.

Django's own ``RedisCache`` raises on every call while Redis is unreachable, so every page
touching the cache (sessions, rate limits, the lesson player) would fail. This one answers
as an empty cache instead: a read misses, a write is dropped, ``incr`` finds no key. After a
failure it stops asking Redis for ``RETRY_AFTER`` seconds (a circuit breaker, so a page
never waits on a dead server twice in a row) and logs the outage once a minute per process,
not once a request. ``unavailable`` says whether it is in that state, so a caller that must
fail closed (sign-in throttling, ``cpd.accounts.throttle``) can. When Redis answers again
the cache is emptied once, since writes dropped meanwhile (a session signed out) would leave
stale entries: give the site a Redis database of its own.

    CACHES = {"default": {"BACKEND": "cpd.cache.ResilientRedisCache",
                          "LOCATION": "redis://cache.internal:6379/0",
                          "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger("cpd.cache")

#: Seconds to answer from nothing after a failure before trying Redis again.
RETRY_AFTER = 5.0
#: Seconds between two log lines about the same outage.
LOG_EVERY = 60.0


def cache_unavailable(cache) -> bool:
    """True while ``cache`` is a degrading cache that cannot reach its server."""
    return bool(getattr(cache, "unavailable", False))


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0
        self._last_log = float("-inf")
        self._lock = threading.Lock()

    @property
    def unavailable(self) -> bool:
        return time.monotonic() < self._down_until

    def _call(self, method: str, fallback, *args, **kwargs):
        if self.unavailable:
            return fallback()
        try:
            result = getattr(super(), method)(*args, **kwargs)
        except self._cache._lib.RedisError as exc:
            self._failed(exc)
            return fallback()
        if self._down_until:
            self._recovered()
        return result

    def _recovered(self) -> None:
        """Back after an outage: what was cached before it may be stale (a session signed
        out, or changed, while writes to the cache were dropped), so empty the cache; every
        reader falls back to the database, the source of truth, and fills it again."""
        with self._lock:
            if not self._down_until:
                return
            self._down_until = 0.0
        try:
            super().clear()
        except self._cache._lib.RedisError as exc:
            self._failed(exc)
            return
        logger.warning("The cache is reachable again; emptied it of what the outage left stale")

    def _failed(self, exc: Exception) -> None:
        with self._lock:
            self._down_until = time.monotonic() + RETRY_AFTER
            if time.monotonic() - self._last_log >= LOG_EVERY:
                self._last_log = time.monotonic()
                logger.warning(
                    "The cache is unreachable (%s); serving without it, sign-in refused",
                    type(exc).__name__,
                )

    def ping(self) -> None:
        """Ask Redis itself, past the circuit breaker; raises if it does not answer."""
        self._cache.get_client(write=True).ping()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", lambda: False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", lambda: default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", lambda: None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", lambda: False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", lambda: False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", dict, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", lambda: False, key, version)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found (the cache is unreachable).")

        return self._call("incr", missing, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", lambda: list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", lambda: None, keys, version)

    def clear(self):
        return self._call("clear", lambda: False)
