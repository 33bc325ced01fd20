"""The data migration that moves DRF authtoken's plain-text keys into hashed API tokens."""

import importlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from rest_framework.test import APIClient

from cpd.accounts.tokens import api_key_digest
from cpd.models import ApiToken
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
# What the function uses of the schema editor migrate passes it (SQLite's own cannot open
# inside a test's transaction).
SCHEMA_EDITOR = SimpleNamespace(connection=connection)
PLAIN_KEY = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # DRF authtoken's shape: 40 hex


def migration():
    [path] = Path("cpd/migrations").glob("*_api_tokens_hashed.py")
    return importlib.import_module(f"cpd.migrations.{path.stem}")


def make_legacy_table(rows):
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, '
            "created timestamp with time zone NOT NULL, user_id integer NOT NULL)"
            if connection.vendor == "postgresql"
            else 'CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, '
            "created datetime NOT NULL, user_id integer NOT NULL)"
        )
        for key, created, user_id in rows:
            cursor.execute(
                'INSERT INTO authtoken_token ("key", created, user_id) VALUES (%s, %s, %s)',
                [key, created, user_id],
            )


def legacy_rows() -> list:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM authtoken_token")
        return cursor.fetchall()


@time_machine.travel(NOW, tick=False)
def test_plain_tokens_are_hashed_kept_working_and_deleted(school):
    admin = MembershipFactory(school=school, role="school_admin")
    made = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)
    make_legacy_table([(PLAIN_KEY, made, admin.user_id)])

    migration().hash_plain_tokens(apps, SCHEMA_EDITOR)

    token = ApiToken.objects.get()
    assert (token.user, token.name, token.key_digest, token.created_at, token.expires_at) == (
        admin.user,
        "Token made before tokens had names",
        api_key_digest(PLAIN_KEY),
        made,
        NOW + timedelta(days=90),
    )
    assert legacy_rows() == []
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {PLAIN_KEY}")
    assert client.get(f"/api/v1/schools/{school.slug}/").status_code == 200


def test_nothing_to_do_without_the_legacy_table():
    migration().hash_plain_tokens(apps, SCHEMA_EDITOR)
    assert ApiToken.objects.count() == 0
