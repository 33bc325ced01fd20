"""``POST /api/v1/certificates/<serial>/revoke/``: who may revoke (the web page's rule),
the reason, an already revoked certificate, another school's certificate, and what the
service records."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from certificates.services import certificate_revoke
from certificates.signals import certificate_revoked
from cpd.models import AuditEvent, Membership
from tests.api.clients import api_client
from tests.factories import CertificateFactory, MembershipFactory, TrustRoleFactory

pytestmark = pytest.mark.django_db

FORBIDDEN = {
    "detail": "Only the school's DSLs, deputy DSLs and school admins, or its trust's admins, "
    "can revoke a certificate.",
    "code": "permission_denied",
}
NOT_FOUND = {"detail": "Not found, or not visible to you.", "code": "not_found"}
NO_REASON = {
    "detail": "reason: Enter why you are revoking this certificate.",
    "code": "invalid",
    "fields": {"reason": ["Enter why you are revoking this certificate."]},
}


@pytest.fixture
def certificate(staff):
    return CertificateFactory(
        enrolment__membership=staff, holder_name="Sarah Thompson", serial="CPD-2026-000101"
    )


@pytest.fixture
def other_certificate(other_school):
    holder = MembershipFactory(school=other_school, user__email="colleague@hillside.test")
    return CertificateFactory(enrolment__membership=holder, serial="CPD-2026-000201")


@pytest.fixture
def other_dsl(other_school):
    return MembershipFactory(school=other_school, role=Membership.Role.DSL)


@pytest.fixture
def other_admin(other_school):
    return MembershipFactory(school=other_school, role=Membership.Role.SCHOOL_ADMIN)


@pytest.fixture
def signals():
    """Every ``certificate_revoked`` sent while the test runs, as (certificate, actor,
    reason)."""
    sent = []

    def receiver(sender, certificate, actor, reason, **kwargs):
        sent.append((certificate.serial, actor, reason))

    certificate_revoked.connect(receiver, dispatch_uid="test_certificate_revoke")
    yield sent
    certificate_revoked.disconnect(dispatch_uid="test_certificate_revoke")


def token_client(user) -> APIClient:
    """Authenticated as the person can be: a token for admins (as an integration sends it),
    a session for others (``tests.api.clients``)."""
    return api_client(user)


def revoke(client, serial: str, body=None):
    return client.post(f"/api/v1/certificates/{serial}/revoke/", body, format="json")


def unchanged(certificate) -> tuple:
    certificate.refresh_from_db()
    return (
        certificate.status,
        certificate.revoked_reason,
        certificate.revoked_at,
        certificate.revoked_by,
        AuditEvent.objects.count(),
    )


def test_revoke_by_the_dsl_with_a_token_revokes_and_records_it(
    dsl, certificate, signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = revoke(
            token_client(dsl.user), certificate.serial, {"reason": " Issued in error "}
        )

    assert response.status_code == 200
    body = response.json()
    assert (body["serial"], body["status"], body["standing"]) == (
        "CPD-2026-000101",
        "revoked",
        "revoked",
    )
    certificate.refresh_from_db()
    assert (certificate.status, certificate.revoked_reason, certificate.revoked_by) == (
        "revoked",
        "Issued in error",
        dsl.user,
    )
    assert certificate.revoked_at is not None
    assert list(
        AuditEvent.objects.values_list(
            "actor", "school", "action", "target_type", "target_id", "data"
        )
    ) == [
        (
            dsl.user.pk,
            dsl.school.pk,
            "certificates.certificate.revoked",
            "certificates.certificate",
            str(certificate.pk),
            {"serial": "CPD-2026-000101", "reason": "Issued in error"},
        )
    ]
    assert signals == [("CPD-2026-000101", dsl.user, "Issued in error")]


@pytest.mark.parametrize("role", [Membership.Role.DEPUTY_DSL, Membership.Role.SCHOOL_ADMIN])
def test_revoke_by_a_deputy_or_school_admin_is_allowed(school, certificate, role):
    manager = MembershipFactory(school=school, role=role)

    response = revoke(token_client(manager.user), certificate.serial, {"reason": "Error"})

    assert (response.status_code, response.json()["status"]) == (200, "revoked")
    certificate.refresh_from_db()
    assert (certificate.status, certificate.revoked_by) == ("revoked", manager.user)


def test_revoke_by_the_trust_admin_is_allowed(trust, certificate):
    admin = TrustRoleFactory(trust=trust).user

    response = revoke(token_client(admin), certificate.serial, {"reason": "Error"})

    assert (response.status_code, response.json()["status"]) == (200, "revoked")
    certificate.refresh_from_db()
    assert (certificate.status, certificate.revoked_by) == ("revoked", admin)


def test_revoke_by_the_holder_is_403_and_changes_nothing(staff, certificate, signals):
    before = unchanged(certificate)
    # The holder sees their own certificate...
    client = token_client(staff.user)
    assert client.get(f"/api/v1/certificates/{certificate.serial}/").status_code == 200

    response = revoke(client, certificate.serial, {"reason": "I want it gone"})

    assert (response.status_code, response.json()) == (403, FORBIDDEN)
    assert unchanged(certificate) == before == ("valid", "", None, None, 0)
    assert signals == []


def test_revoke_by_a_dsl_who_has_left_is_404(dsl, certificate):
    """A DSL who has left sees only their own certificates; their old school's is a 404."""
    dsl.left_on = timezone.localdate() - timedelta(days=1)
    dsl.save(update_fields=["left_on"])

    response = revoke(token_client(dsl.user), certificate.serial, {"reason": "Error"})

    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert unchanged(certificate) == ("valid", "", None, None, 0)


def test_revoke_by_a_colleague_on_staff_is_404(school, certificate):
    colleague = MembershipFactory(school=school, role=Membership.Role.STAFF)

    response = revoke(token_client(colleague.user), certificate.serial, {"reason": "Error"})

    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert unchanged(certificate) == ("valid", "", None, None, 0)


@pytest.mark.parametrize("who", ["other_dsl", "other_admin"])
def test_revoke_of_another_schools_certificate_is_404(
    request, dsl, certificate, other_certificate, who, signals
):
    outsider = request.getfixturevalue(who).user

    response = revoke(token_client(outsider), certificate.serial, {"reason": "Error"})

    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert unchanged(certificate) == ("valid", "", None, None, 0)
    # ...and the same serial-shaped request from our own DSL cannot reach theirs either.
    response = revoke(token_client(dsl.user), other_certificate.serial, {"reason": "Error"})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert unchanged(other_certificate) == ("valid", "", None, None, 0)
    assert signals == []


def test_revoke_of_an_unknown_serial_is_404(dsl):
    response = revoke(token_client(dsl.user), "CPD-2026-999999", {"reason": "Error"})

    assert (response.status_code, response.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": None}])
def test_revoke_without_a_reason_is_400_naming_the_field(dsl, certificate, body, signals):
    response = revoke(token_client(dsl.user), certificate.serial, body)

    assert (response.status_code, response.json()) == (400, NO_REASON)
    assert unchanged(certificate) == ("valid", "", None, None, 0)
    assert signals == []


def test_revoke_reason_is_at_most_1000_characters_as_on_the_web_form(dsl, certificate):
    client = token_client(dsl.user)

    response = revoke(client, certificate.serial, {"reason": "x" * 1001})

    assert (response.status_code, response.json()["fields"]) == (
        400,
        {"reason": ["Ensure this field has no more than 1000 characters."]},
    )
    assert unchanged(certificate) == ("valid", "", None, None, 0)
    assert revoke(client, certificate.serial, {"reason": "x" * 1000}).status_code == 200
    assert unchanged(certificate)[:2] == ("revoked", "x" * 1000)


def test_revoke_of_an_already_revoked_certificate_is_400_and_changes_nothing(
    school, dsl, certificate, signals, django_capture_on_commit_callbacks
):
    first = MembershipFactory(school=school, role=Membership.Role.SCHOOL_ADMIN).user
    certificate_revoke(certificate=certificate, actor=first, reason="Issued in error")
    before = unchanged(certificate)

    with django_capture_on_commit_callbacks(execute=True):
        response = revoke(token_client(dsl.user), certificate.serial, {"reason": "Again"})

    assert (response.status_code, response.json()) == (
        400,
        {"detail": "This certificate is already revoked.", "code": "invalid", "fields": {}},
    )
    assert unchanged(certificate) == before
    assert before[:2] + before[3:] == ("revoked", "Issued in error", first, 1)
    assert signals == []


def test_revoke_anonymous_is_401_with_a_challenge(certificate):
    response = revoke(APIClient(), certificate.serial, {"reason": "Error"})

    assert (response.status_code, response.json()) == (
        401,
        {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"},
    )
    assert response["WWW-Authenticate"] == "Token"
    assert unchanged(certificate) == ("valid", "", None, None, 0)


def test_revoke_with_a_wrong_token_is_401(certificate):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")

    response = revoke(client, certificate.serial, {"reason": "Error"})

    assert (response.status_code, response.json()) == (
        401,
        {"detail": "Invalid token.", "code": "authentication_failed"},
    )
    assert unchanged(certificate) == ("valid", "", None, None, 0)


def test_revoke_needs_post(dsl, certificate):
    response = token_client(dsl.user).get(f"/api/v1/certificates/{certificate.serial}/revoke/")

    assert response.status_code == 405
    assert unchanged(certificate) == ("valid", "", None, None, 0)


def test_revoke_query_count(dsl, certificate, django_assert_num_queries):
    """The signed-in user (a DSL uses a session: only admins hold tokens), certificate,
    permission; the service's savepoint, lock, update, membership,
    school, audit event, release; the course for the response."""
    client = token_client(dsl.user)

    with django_assert_num_queries(11):
        response = revoke(client, certificate.serial, {"reason": "Error"})

    assert response.status_code == 200


def test_revoke_is_in_the_schema_with_its_body_and_responses(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/certificates/{serial}/revoke/"]["post"]

    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CertificateRevokeRequest"
    }
    assert schema["components"]["schemas"]["CertificateRevokeRequest"]["required"] == ["reason"]
    assert (
        schema["components"]["schemas"]["CertificateRevokeRequest"]["properties"]["reason"][
            "maxLength"
        ]
        == 1000
    )
    responses = operation["responses"]
    assert responses["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Certificate"
    }
    for code in ["400", "401", "403", "404"]:
        assert responses[code]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
    assert responses["403"]["description"].startswith("You may see this certificate but not")


@pytest.mark.parametrize(
    ("who", "status"), [("holder", 403), ("colleague", 404), ("other_dsl", 404)]
)
def test_revoke_is_refused_alike_on_the_page_and_in_the_api(
    client, request, school, staff, certificate, who, status
):
    """One rule (certificates.permissions, applied by the service): the page and the API
    give the same status to the same person."""
    user = {
        "holder": lambda: staff.user,
        "colleague": lambda: MembershipFactory(school=school).user,
        "other_dsl": lambda: request.getfixturevalue("other_dsl").user,
    }[who]()
    client.force_login(user)

    page = client.post(f"/certificates/{certificate.serial}/revoke/", {"reason": "Error"})
    api = revoke(token_client(user), certificate.serial, {"reason": "Error"})

    assert (page.status_code, api.status_code) == (status, status)
    assert api.json() == (FORBIDDEN if status == 403 else NOT_FOUND)
    assert unchanged(certificate) == ("valid", "", None, None, 0)
