"""The fault suite starts real servers of its own (PostgreSQL with ``initdb``, Redis, an S3
stand-in) and real site processes, so it runs where the PostgreSQL suite runs: selected
when CPD_TEST_DATABASE_URL is a PostgreSQL URL (``make test-postgres``, ``.ci/run``) and
deselected elsewhere (``make test``). It never touches that server: the URL only says
that this machine is set up for PostgreSQL."""

import os

import pytest

from tests.scale.processes import is_postgres_url


def pytest_collection_modifyitems(config, items):
    faults = [item for item in items if item.get_closest_marker("faults")]
    if not faults or is_postgres_url(os.environ.get("CPD_TEST_DATABASE_URL")):
        return
    markexpr = config.getoption("markexpr") or ""
    if "faults" in markexpr and "not faults" not in markexpr:
        raise pytest.UsageError(
            "The fault suite runs with the PostgreSQL suite only: set CPD_TEST_DATABASE_URL "
            "to a postgres:// URL (or run `make test-postgres`)."
        )
    config.hook.pytest_deselected(items=faults)
    items[:] = [item for item in items if item not in faults]
