"""Property-based run of the whole API against its own OpenAPI schema (schemathesis):
fixed seed, a bounded number of examples per operation, as a school admin (with an API
token) and as staff (with a session, since only admins may hold a token). It must find no
server error and no response that breaks the schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.config import SchemathesisConfig

from cpd.models import Membership
from tests.factories import MembershipFactory, SchoolFactory, TrustFactory, api_key_for

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20260302,
        "generation": {"max-examples": 12, "deterministic": True, "allow-x00": False},
    }
)
app = get_wsgi_application()
schema = (
    schemathesis.openapi.from_wsgi("/api/v1/schema/", app, config=CONFIG)
    .exclude(
        # Making tokens without end, or revoking the run's own, would spoil the run; tests/api
        # covers them (tests/api/test_tokens.py).
        path="/api/v1/token/",
        method=["POST"],
    )
    .exclude(path="/api/v1/token/{id}/")
)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI app closes "old" database connections around each request, which would
    close the test's own transaction; Django's test client stops that the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["school_admin", "staff"])
def credentials(request, db) -> dict:
    """The headers that sign the run in: a school admin's token; a staff member's session
    cookie, with a CSRF token as their browser would send it."""
    trust = TrustFactory(slug="northfield")
    school = SchoolFactory(slug="oakwood-primary", trust=trust)
    SchoolFactory(slug="hillside")
    MembershipFactory.create_batch(3, school=school)
    role = getattr(Membership.Role, request.param.upper())
    member = MembershipFactory(school=school, role=role)
    if role == Membership.Role.SCHOOL_ADMIN:
        return {"Authorization": f"Token {api_key_for(member.user)}"}
    browser = Client()
    browser.force_login(member.user)
    csrf = _get_new_csrf_string()
    cookie = f"sessionid={browser.cookies['sessionid'].value}; csrftoken={csrf}"
    return {"Cookie": cookie, "X-CSRFToken": csrf}


@schema.parametrize()
# The fixture's rows are meant to be shared by every example of an operation.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_conforms_to_its_schema(case, credentials):
    case.call_and_validate(headers=credentials, checks=CHECKS)
