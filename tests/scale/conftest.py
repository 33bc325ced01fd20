"""Scale tests need PostgreSQL (several processes writing at once is what they test, and
PostgreSQL is what a trust runs). They are selected only when CPD_TEST_DATABASE_URL is a
PostgreSQL URL, as `make test-postgres` and `.ci/run` set it; elsewhere (`make test`, on
SQLite) they are deselected. Asking for them explicitly (`-m scale`) without PostgreSQL is
an error that says what to set."""

import os

import pytest

from tests.scale.processes import is_postgres_url


def pytest_collection_modifyitems(config, items):
    scale = [item for item in items if item.get_closest_marker("scale")]
    if not scale or is_postgres_url(os.environ.get("CPD_TEST_DATABASE_URL")):
        return
    if "scale" in (config.getoption("markexpr") or "") and "not scale" not in (
        config.getoption("markexpr") or ""
    ):
        raise pytest.UsageError(
            "The scale tests run against PostgreSQL only: set CPD_TEST_DATABASE_URL to a "
            "postgres:// URL whose user may create databases (or run `make test-postgres`)."
        )
    config.hook.pytest_deselected(items=scale)
    items[:] = [item for item in items if item not in scale]
