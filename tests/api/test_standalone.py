"""The API stands on its own: a host project's REST_FRAMEWORK and SPECTACULAR_SETTINGS,
whatever they say, change nothing about it."""

import re

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

HOSTILE = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 1,
    "DEFAULT_FILTER_BACKENDS": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.BrowsableAPIRenderer"],
}


@override_settings(REST_FRAMEWORK=HOSTILE, SPECTACULAR_SETTINGS={"TITLE": "Host's own API"})
def test_a_hosts_rest_framework_settings_change_nothing(school):
    anonymous = APIClient().get("/api/v1/schools/")
    assert (anonymous.status_code, anonymous["WWW-Authenticate"]) == (401, "Token")
    assert anonymous.json()["code"] == "not_authenticated"

    admin = MembershipFactory(school=school, role="school_admin")
    MembershipFactory(school=school, role="staff")
    client = APIClient()
    client.force_authenticate(admin.user)
    staff = client.get(f"/api/v1/schools/{school.slug}/staff/", {"role": "staff"})
    assert staff["Content-Type"] == "application/json"
    assert (staff.json()["count"], len(staff.json()["results"])) == (1, 1)  # filtered, paged
    refused = client.get(f"/api/v1/schools/{school.slug}/staff/", {"role": "boss"})
    assert (refused.status_code, refused.json()["code"]) == (400, "invalid")

    schema = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.json()["info"]["title"] == "Safeguarding CPD API"


def test_every_enum_in_the_schema_has_a_name_of_its_own():
    schema = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    enums = sorted(name for name in schema.json()["components"]["schemas"] if name.endswith("Enum"))
    assert [name for name in enums if re.search(r"[0-9a-f]{3}Enum$", name)] == []
    assert {"CertificateStatusEnum", "ComplianceStatusEnum", "EnrolmentStatusEnum"} <= set(enums)
