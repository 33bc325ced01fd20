"""On PostgreSQL the site prepares the statements a connection repeats: psycopg prepares a
statement on its sixth run (``prepare_threshold`` 5, in the site's settings and the test
settings), and the server then plans it once, not on every page."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

pytestmark = [pytest.mark.scale, pytest.mark.django_db]


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_query_run_more_than_five_times_is_prepared_on_the_server():
    user_model = get_user_model()
    table = user_model._meta.db_table
    before = [s for s in prepared_statements() if f'FROM "{table}"' in s]
    for _ in range(5):
        list(user_model.objects.filter(email="nobody@example.org"))
    assert [s for s in prepared_statements() if f'FROM "{table}"' in s] == before == []
    list(user_model.objects.filter(email="nobody@example.org"))
    after = [s for s in prepared_statements() if f'FROM "{table}"' in s]
    assert len(after) == 1
    assert 'WHERE "' in after[0] and "$1" in after[0]
