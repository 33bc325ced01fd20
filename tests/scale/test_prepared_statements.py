"""On PostgreSQL the site prepares the statements a connection repeats: psycopg prepares a
statement on its sixth run (``prepare_threshold`` 5, in the site's settings and the test
settings), and the server then plans it once, not on every page."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Value

pytestmark = [pytest.mark.scale, pytest.mark.django_db]


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_query_run_more_than_five_times_is_prepared_on_the_server():
    # A query no other test runs (its alias names it), so that what this connection did
    # before cannot have prepared it already.
    people = (
        get_user_model()
        .objects.annotate(prepared_probe=Value(1))
        .filter(email="nobody@example.org")
    )

    def probes() -> list[str]:
        return [s for s in prepared_statements() if '"prepared_probe"' in s]

    for _ in range(5):
        list(people.all())
    assert probes() == []
    list(people.all())
    (statement,) = probes()
    assert 'WHERE "' in statement and "$2" in statement
