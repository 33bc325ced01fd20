"""API tokens: named, hashed at rest, expiring, listed and revoked by their holder, and dead
the moment their holder leaves the school or stops being an admin."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from cpd.accounts.tokens import KEY_PREFIX, ApiTokenAuthentication, api_key_digest
from cpd.models import ApiToken, AuditEvent, Membership, TrustRole
from cpd.people.services import membership_leave, membership_update
from tests.factories import (
    ApiTokenFactory,
    CertificateFactory,
    MembershipFactory,
    TrustRoleFactory,
    UserFactory,
    api_key_for,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def session_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# -- making, listing, using and revoking -----------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_api_token_create_list_use_and_revoke(school, admin):
    session = session_for(admin.user)

    created = session.post("/api/v1/token/", {"name": "HR system", "days": 30}, format="json")

    assert created.status_code == 201
    body = created.json()
    key = body.pop("key")
    token = ApiToken.objects.get()
    assert body == {
        "id": token.pk,
        "name": "HR system",
        "created": "2026-03-02T09:30:00Z",
        "expires": "2026-04-01T10:30:00+01:00",  # in the site's time zone: British Summer Time
        "last_used": None,
    }
    assert re.fullmatch(r"cpd_[A-Za-z0-9_-]{43}", key)
    assert token.key_digest == api_key_digest(key)

    integration = token_client(key)
    assert integration.get(f"/api/v1/schools/{school.slug}/staff/").status_code == 200
    assert session.get("/api/v1/token/").json() == [
        {
            "id": token.pk,
            "name": "HR system",
            "created": "2026-03-02T09:30:00Z",
            "expires": "2026-04-01T10:30:00+01:00",
            "last_used": "2026-03-02T09:30:00Z",
        }
    ]

    assert session.delete(f"/api/v1/token/{token.pk}/").status_code == 204
    refused = integration.get(f"/api/v1/schools/{school.slug}/staff/")
    assert (refused.status_code, refused.json()) == (
        401,
        {"detail": "Invalid token.", "code": "authentication_failed"},
    )
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "data")) == [
        ("cpd.api_token.created", {"name": "HR system", "expires_on": "2026-04-01"}),
        ("cpd.api_token.revoked", {"name": "HR system"}),
    ]


def test_api_token_days_default_to_the_setting(settings, admin):
    settings.CPD_API_TOKEN_DAYS = 7
    with time_machine.travel(NOW, tick=False):
        response = session_for(admin.user).post("/api/v1/token/", {"name": "MIS"}, format="json")
    assert response.json()["expires"] == "2026-03-09T09:30:00Z"


def test_a_person_may_hold_several_named_tokens(school, admin):
    session = session_for(admin.user)
    keys = [
        session.post("/api/v1/token/", {"name": name}, format="json").json()["key"]
        for name in ("HR system", "Dashboard")
    ]
    assert [t["name"] for t in session.get("/api/v1/token/").json()] == ["Dashboard", "HR system"]
    assert [
        token_client(key).get(f"/api/v1/schools/{school.slug}/").status_code for key in keys
    ] == [200, 200]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"name": ["This field is required."]}),
        ({"name": "x" * 101}, {"name": ["Ensure this field has no more than 100 characters."]}),
        (
            {"name": "MIS", "days": 0},
            {"days": ["Ensure this value is greater than or equal to 1."]},
        ),
        ({"name": "MIS", "days": 366}, {"days": ["A token can last at most 365 days."]}),
        ({"name": "MIS", "days": "soon"}, {"days": ["A valid integer is required."]}),
    ],
)
def test_api_token_bad_request_names_the_field_and_makes_nothing(admin, body, fields):
    response = session_for(admin.user).post("/api/v1/token/", body, format="json")
    assert (response.status_code, response.json()["fields"]) == (400, fields)
    assert ApiToken.objects.count() == 0


def test_api_token_name_is_unique_per_holder(admin):
    session = session_for(admin.user)
    session.post("/api/v1/token/", {"name": "HR system"}, format="json")
    again = session.post("/api/v1/token/", {"name": " HR  system "}, format="json")
    assert (again.status_code, again.json()) == (
        400,
        {
            "detail": "You already have a token called “HR system”. Choose another name.",
            "code": "refused",
        },
    )
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize("role", [Membership.Role.STAFF, Membership.Role.DSL])
def test_only_admins_may_make_a_token(school, role):
    member = MembershipFactory(school=school, role=role)
    response = session_for(member.user).post("/api/v1/token/", {"name": "Mine"}, format="json")
    assert (response.status_code, response.json()["detail"]) == (
        403,
        "Only school and trust admins can use API tokens.",
    )
    assert ApiToken.objects.count() == 0


def test_a_trust_admin_may_make_a_token(trust, school):
    trust_admin = TrustRoleFactory(trust=trust).user
    response = session_for(trust_admin).post("/api/v1/token/", {"name": "Trust MI"}, format="json")
    assert response.status_code == 201


def test_nobody_sees_or_revokes_anothers_token(school, admin, other_school):
    theirs = MembershipFactory(school=other_school, role=Membership.Role.SCHOOL_ADMIN)
    their_key = api_key_for(theirs.user, name="Their HR system")
    their_token = ApiToken.objects.get()
    session = session_for(admin.user)

    assert session.get("/api/v1/token/").json() == []
    response = session.delete(f"/api/v1/token/{their_token.pk}/")
    assert (response.status_code, response.json()) == (
        404,
        {"detail": "You have no such token.", "code": "not_found"},
    )
    assert token_client(their_key).get(f"/api/v1/schools/{other_school.slug}/").status_code == 200


# -- dead with the right to hold it ------------------------------------------------------------


def schema_operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (path, method)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    )


PUBLIC = {("/api/v1/verify/{code}/", "get")}  # no authentication at all: anyone may verify


def call_every_operation(client, *, school, certificate) -> dict:
    values = {
        "slug": school.slug,
        "school_slug": school.slug,
        "serial": certificate.serial,
        "code": certificate.verification_code,
        "id": 999999,  # no such row: the operations change nothing even when allowed
    }
    statuses = {}
    for path, method in schema_operations():
        url = re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), 1)), path)
        if method == "get":
            response = client.get(url)
        else:
            response = getattr(client, method)(url, {}, format="json")
        statuses[(path, method)] = response.status_code
    return statuses


@pytest.fixture
def holders(trust, school):
    """A school admin and a trust admin, each with a live token, and a certificate at the
    school for the certificate operations to find."""
    admin = MembershipFactory(school=school, role=Membership.Role.SCHOOL_ADMIN)
    trust_role = TrustRoleFactory(trust=trust)
    certificate = CertificateFactory(enrolment__membership__school=school)
    return {
        "admin": (admin, api_key_for(admin.user, name="HR system")),
        "trust_admin": (trust_role, api_key_for(trust_role.user, name="Trust MI")),
        "certificate": certificate,
    }


def demote_admin(holders):
    admin, _key = holders["admin"]
    membership_update(membership=admin, role=Membership.Role.STAFF)


def admin_leaves(holders):
    admin, _key = holders["admin"]
    membership_leave(membership=admin, left_on=timezone.localdate())


def trust_admin_removed(holders):
    trust_role, _key = holders["trust_admin"]
    TrustRole.objects.filter(pk=trust_role.pk).delete()


@pytest.mark.parametrize(
    ("change", "holder"),
    [
        (demote_admin, "admin"),
        (admin_leaves, "admin"),
        (trust_admin_removed, "trust_admin"),
    ],
)
def test_a_token_gets_401_on_every_api_operation_once_its_holder_loses_the_right(
    school, holders, change, holder
):
    _who, key = holders[holder]
    client = token_client(key)
    before = call_every_operation(client, school=school, certificate=holders["certificate"])
    assert [op for op, status in before.items() if status == 401] == []

    change(holders)

    after = call_every_operation(client, school=school, certificate=holders["certificate"])
    assert sorted(op for op, status in after.items() if status != 401) == sorted(PUBLIC)
    assert len(after) > 20  # the walk really covers the API
    response = client.get(f"/api/v1/schools/{school.slug}/")
    assert (response.status_code, response["WWW-Authenticate"], response.json()["detail"]) == (
        401,
        "Token",
        "This token no longer works: its holder is no longer a school or trust admin.",
    )


def test_a_leavers_token_works_until_the_leaving_date(school, holders):
    admin, key = holders["admin"]
    today = timezone.localdate()
    membership_leave(membership=admin, left_on=today + timedelta(days=1))
    client = token_client(key)
    assert client.get(f"/api/v1/schools/{school.slug}/").status_code == 200
    with time_machine.travel(today + timedelta(days=1, hours=12)):
        assert client.get(f"/api/v1/schools/{school.slug}/").status_code == 401


def test_a_deactivated_users_token_gets_401(school, holders):
    admin, key = holders["admin"]
    type(admin.user).objects.filter(pk=admin.user_id).update(is_active=False)
    response = token_client(key).get(f"/api/v1/schools/{school.slug}/")
    assert (response.status_code, response.json()["detail"]) == (401, "Invalid token.")


def test_an_expired_token_gets_401(school, admin):
    with time_machine.travel(NOW, tick=False):
        key = api_key_for(admin.user, expires_at=NOW + timedelta(days=30))
        client = token_client(key)
        assert client.get(f"/api/v1/schools/{school.slug}/").status_code == 200
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        response = client.get(f"/api/v1/schools/{school.slug}/")
    assert (response.status_code, response.json()["detail"]) == (401, "This token has expired.")


def test_a_demoted_holder_can_still_list_and_revoke_their_token(school, admin):
    key = api_key_for(admin.user, name="HR system")
    token = ApiToken.objects.get()
    membership_update(membership=admin, role=Membership.Role.STAFF)
    session = session_for(admin.user)

    assert [t["name"] for t in session.get("/api/v1/token/").json()] == ["HR system"]
    assert session.delete(f"/api/v1/token/{token.pk}/").status_code == 204
    assert ApiToken.objects.count() == 0
    assert token_client(key).get(f"/api/v1/schools/{school.slug}/").status_code == 401


def test_token_authentication_is_one_query(school, admin, django_assert_num_queries):
    """Finding the token, its holder and whether they may still hold one; then, at most
    once an hour, noting when it was last used."""
    key = api_key_for(admin.user, last_used_at=timezone.now())
    request = Request(APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {key}"))

    with django_assert_num_queries(1):
        user, token = ApiTokenAuthentication().authenticate(request)
    assert (user, token.name) == (admin.user, ApiToken.objects.get().name)


# -- the key is not stored in the clear ------------------------------------------------------


def database_text() -> str:
    """Every value in every table, as text."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_the_key_is_not_stored_in_the_clear(admin, sign_in):
    api_key = session_for(admin.user).post("/api/v1/token/", {"name": "A"}, format="json")
    page = sign_in(admin).post("/api-token/", {"action": "create", "name": "B", "days": "90"})
    page_key = re.search(r"<code>(cpd_[^<]+)</code>", page.content.decode()).group(1)
    stored = database_text()

    for key in (api_key.json()["key"], page_key):
        secret = key.removeprefix(KEY_PREFIX)
        windows = {secret[i : i + 8] for i in range(len(secret) - 7)}
        assert [w for w in windows if w in stored] == []
        assert api_key_digest(key) in stored  # the scan sees the tokens' table
    assert ApiToken.objects.count() == 2


# -- the token page --------------------------------------------------------------------------


def test_api_token_page_makes_lists_and_revokes(sign_in, admin):
    """Within one working day, the session's length (each request renews it)."""
    client = sign_in(admin)
    ApiTokenFactory(
        user=admin.user,
        name="Old dashboard",
        created_at=NOW - timedelta(days=40),
        expires_at=NOW - timedelta(days=10),
    )
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            "/api-token/", {"action": "create", "name": "HR system", "days": "30"}
        )
    key = re.search(r"<code>(cpd_[^<]+)</code>", response.content.decode()).group(1)
    token = ApiToken.objects.get(name="HR system")
    assert token.key_digest == api_key_digest(key)
    assert token.expires_at == NOW + timedelta(days=30)

    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        listed = client.get("/api-token/").content.decode()
        assert key not in listed
        assert re.findall(
            r"<h3 id=\"token-\d+\">([^<]+)</h3>.*?<dd>([^<]+)</dd>.*?<dd>([^<]+)</dd>",
            listed,
            re.S,
        ) == [
            ("HR system", "2 Mar 2026", "1 Apr 2026"),
            ("Old dashboard", "21 Jan 2026", "Expired on 20 Feb 2026"),
        ]
        # Revoking asks first, saying what will happen; nothing is revoked until confirmed.
        asked = client.post("/api-token/", {"action": "revoke", "token": token.pk})
        assert "Revoke the token “HR system”?" in asked.content.decode()
        assert "stops working at once" in asked.content.decode()
        assert ApiToken.objects.filter(pk=token.pk).exists()
        revoked = client.post(
            "/api-token/",
            {"action": "revoke", "token": token.pk, "confirmed": "yes"},
            follow=True,
        )
    assert "The token “HR system” is revoked." in revoked.content.decode()
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["Old dashboard"]


def test_api_token_page_form_errors_name_the_field(sign_in, admin):
    response = sign_in(admin).post("/api-token/", {"action": "create", "name": " ", "days": "7"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter a name for the token, such as the system that will use it." in html
    assert "Choose how long the token lasts." in html
    assert ApiToken.objects.count() == 0


def test_api_token_page_for_a_demoted_holder_offers_revoke_only(sign_in, admin):
    ApiTokenFactory(user=admin.user, name="HR system")
    membership_update(membership=admin, role=Membership.Role.STAFF)
    client = sign_in(admin)

    html = client.get("/api-token/").content.decode()
    assert "HR system" in html
    assert 'value="create"' not in html
    token = ApiToken.objects.get()
    client.post("/api-token/", {"action": "revoke", "token": token.pk, "confirmed": "yes"})
    assert ApiToken.objects.count() == 0
    assert client.get("/api-token/").status_code == 403


def test_api_token_page_refuses_staff_with_no_token(sign_in, staff):
    assert sign_in(staff).get("/api-token/").status_code == 403


def test_api_token_page_will_not_revoke_anothers_token(sign_in, admin, other_school):
    theirs = ApiTokenFactory(user=UserFactory(), name="Theirs")
    client = sign_in(admin)
    asked = client.post("/api-token/", {"action": "revoke", "token": theirs.pk})
    response = client.post(
        "/api-token/", {"action": "revoke", "token": theirs.pk, "confirmed": "1"}
    )
    assert (asked.status_code, response.status_code) == (404, 404)
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["Theirs"]


@pytest.mark.parametrize("count", [1, 10])
def test_api_token_page_query_count(sign_in, admin, count, django_assert_num_queries):
    ApiTokenFactory.create_batch(count, user=admin.user)
    client = sign_in(admin)
    client.get("/api-token/")  # the first request after signing in also saves the session
    with django_assert_num_queries(3):  # the user, whether they may make tokens, the tokens
        response = client.get("/api-token/")
    assert response.content.decode().count('value="revoke"') == count
