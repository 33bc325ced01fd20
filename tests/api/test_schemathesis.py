"""Property-based run of the whole API against its own OpenAPI schema (schemathesis):
fixed seed, a bounded number of examples per operation, as a school admin and as staff.
It must find no server error and no response that breaks the schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis import checks
from schemathesis.config import SchemathesisConfig

from cpd.models import Membership
from tests.factories import MembershipFactory, SchoolFactory, TrustFactory

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20260302,
        "generation": {"max-examples": 12, "deterministic": True, "allow-x00": False},
    }
)
app = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", app, config=CONFIG).exclude(
    # Replacing or revoking the token would sign the run itself out; tests/api covers them.
    path="/api/v1/token/",
    method=["POST", "DELETE"],
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
def token(request, db):
    trust = TrustFactory(slug="northfield")
    school = SchoolFactory(slug="oakwood-primary", trust=trust)
    SchoolFactory(slug="hillside")
    MembershipFactory.create_batch(3, school=school)
    role = getattr(Membership.Role, request.param.upper())
    member = MembershipFactory(school=school, role=role)
    return Token.objects.create(user=member.user).key


@schema.parametrize()
# The fixture's rows are meant to be shared by every example of an operation.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_conforms_to_its_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
