"""Certificate pages: my certificates, revoke and re-issue forms, permissions and leaks."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certificates.models import Certificate
from cpd.models import Membership
from tests.certificates.conftest import text_of
from tests.factories import CertificateFactory, MembershipFactory, TrustRoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(staff):
    return CertificateFactory(
        enrolment__membership=staff, holder_name="Sarah Thomson", serial="CPD-2026-000101"
    )


@pytest.fixture
def school_admin(school):
    return MembershipFactory(school=school, role=Membership.Role.SCHOOL_ADMIN)


@pytest.fixture
def other_dsl(other_school):
    return MembershipFactory(school=other_school, role=Membership.Role.DSL)


def test_my_certificates_lists_past_and_current_in_every_school(
    client, staff, other_school, sign_in
):
    old = CertificateFactory(enrolment__membership=staff, status="superseded",
                             serial="CPD-2025-000001", course_title="Induction")  # fmt: skip
    elsewhere = MembershipFactory(user=staff.user, school=other_school)
    other = CertificateFactory(enrolment__membership=elsewhere, serial="CPD-2026-000002",
                               course_title="Annual update")  # fmt: skip
    current = CertificateFactory(enrolment__membership=staff, serial="CPD-2026-000003",
                                 course_title="Annual update")  # fmt: skip
    CertificateFactory(serial="CPD-2026-000004")  # someone else's
    sign_in(staff)

    response = client.get("/certificates/")

    assert response.status_code == 200
    assert [c.serial for c, _ in response.context["certificates"]] == [
        current.serial,
        other.serial,
        old.serial,
    ]
    assert "Hillside School" in text_of(response)
    assert "Replaced by a newer certificate" in text_of(response)


@pytest.mark.parametrize("count", [1, 20])
def test_my_certificates_query_count(client, staff, sign_in, count, django_assert_num_queries):
    for n in range(count):
        CertificateFactory(enrolment__membership=staff, serial=f"CPD-2026-{n:06d}")
    sign_in(staff)
    client.get("/certificates/")  # the header's links are now cached in the session
    # user, certificates (the session is read from the cache)
    with django_assert_num_queries(2):
        response = client.get("/certificates/")
    assert len(response.context["certificates"]) == count


def test_my_certificates_needs_login(client):
    assert client.get("/certificates/")["Location"] == "/accounts/login/?next=/certificates/"


def test_staff_see_no_correction_forms_and_get_403_for_their_own(
    client, staff, certificate, sign_in
):
    """The holder sees their certificate but may not correct it: a 403, as in the API."""
    sign_in(staff)
    response = client.get(f"/certificates/{certificate.serial}/")
    assert response.context["can_manage"] is False
    assert "Re-issue certificate" not in response.content.decode()
    revoke = client.post(f"/certificates/{certificate.serial}/revoke/", {"reason": "x"})
    reissue = client.post(f"/certificates/{certificate.serial}/reissue/",
                          {"reason": "x", "holder_name": "Y"})  # fmt: skip
    assert (revoke.status_code, reissue.status_code) == (403, 403)
    certificate.refresh_from_db()
    assert certificate.status == "valid"
    assert Certificate.objects.count() == 1


def test_a_colleague_on_staff_gets_404_for_someone_elses(client, school, certificate, sign_in):
    sign_in(MembershipFactory(school=school, role=Membership.Role.STAFF))
    revoke = client.post(f"/certificates/{certificate.serial}/revoke/", {"reason": "x"})
    reissue = client.post(f"/certificates/{certificate.serial}/reissue/",
                          {"reason": "x", "holder_name": "Y"})  # fmt: skip
    assert (revoke.status_code, reissue.status_code) == (404, 404)
    certificate.refresh_from_db()
    assert certificate.status == "valid"


@pytest.mark.parametrize("role", ["dsl", "school_admin"])
def test_dsl_or_admin_revokes_from_the_certificate_page(
    client, certificate, sign_in, request, role
):
    manager = request.getfixturevalue(role)
    sign_in(manager)
    page = client.get(f"/certificates/{certificate.serial}/")
    assert page.context["can_manage"] is True

    url = f"/certificates/{certificate.serial}/revoke/"
    confirm = client.post(url, {"reason": "Issued in error"})
    assert confirm.status_code == 200
    assert "Revoking cannot be undone." in text_of(confirm)
    assert "Reason recorded: Issued in error" in text_of(confirm)
    certificate.refresh_from_db()
    assert certificate.status == "valid"  # nothing changes before the confirmation

    response = client.post(url, {"reason": "Issued in error", "confirmed": "on"}, follow=True)

    assert response.redirect_chain == [(f"/certificates/{certificate.serial}/", 302)]
    assert "Certificate CPD-2026-000101 is revoked." in text_of(response)
    certificate.refresh_from_db()
    assert (certificate.status, certificate.revoked_by) == ("revoked", manager.user)


def test_revoke_without_reason_shows_the_error_summary(client, dsl, certificate, sign_in):
    sign_in(dsl)
    response = client.post(f"/certificates/{certificate.serial}/revoke/", {"reason": " "})

    assert response.status_code == 400
    assert text_of(response).startswith(
        "There is a problem Enter why you are revoking this certificate."
    )
    certificate.refresh_from_db()
    assert certificate.status == "valid"


def test_reissue_from_the_page_goes_to_the_new_certificate(
    client, dsl, certificate, sign_in, django_capture_on_commit_callbacks
):
    sign_in(dsl)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/certificates/{certificate.serial}/reissue/",
            {"holder_name": "Sarah Thompson", "reason": "Surname misspelt"},
        )

    new = Certificate.objects.get(supersedes=certificate)
    assert response["Location"] == f"/certificates/{new.serial}/"
    page = client.get(response["Location"])
    assert f"Replaces {certificate.serial}" in text_of(page)
    assert "Awarded to Sarah Thompson" in text_of(page)
    old_page = client.get(f"/certificates/{certificate.serial}/")
    assert f"Replaced by {new.serial}" in text_of(old_page)
    assert old_page.context["can_manage"] is False


def test_reissue_without_name_or_reason_shows_both_errors(client, dsl, certificate, sign_in):
    sign_in(dsl)
    response = client.post(f"/certificates/{certificate.serial}/reissue/", {})
    assert response.status_code == 400
    assert text_of(response).startswith(
        "There is a problem Enter the name to show on the new certificate. "
        "Enter why you are re-issuing this certificate."
    )
    assert Certificate.objects.count() == 1


def test_another_schools_dsl_gets_404_everywhere(client, other_dsl, certificate, sign_in):
    sign_in(other_dsl)
    for url in ["", "pdf/"]:
        assert client.get(f"/certificates/{certificate.serial}/{url}").status_code == 404
    assert client.post(f"/certificates/{certificate.serial}/revoke/",
                       {"reason": "x"}).status_code == 404  # fmt: skip
    assert client.post(f"/certificates/{certificate.serial}/reissue/",
                       {"reason": "x", "holder_name": "Y"}).status_code == 404  # fmt: skip
    assert client.get("/certificates/").context["certificates"] == []
    certificate.refresh_from_db()
    assert certificate.status == "valid"


def test_trust_admin_of_the_school_may_manage(client, trust, certificate, sign_in):
    admin = TrustRoleFactory(trust=trust)
    sign_in(admin.user)
    response = client.post(
        f"/certificates/{certificate.serial}/revoke/", {"reason": "Error", "confirmed": "on"}
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == "revoked"


def test_revoke_needs_post(client, dsl, certificate, sign_in):
    sign_in(dsl)
    assert client.get(f"/certificates/{certificate.serial}/revoke/").status_code == 405


def test_detail_page_query_count(client, dsl, certificate, sign_in):
    sign_in(dsl)
    client.get(f"/certificates/{certificate.serial}/")  # caches the header's links
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/certificates/{certificate.serial}/")
    assert len(queries) == 4


@pytest.mark.parametrize("serial", ["%00", "a%00b", "x" * 41, "CPD 2026", "%C3%A9"])
def test_a_serial_that_cannot_be_one_is_not_found(client, dsl, sign_in, serial):
    """Once a 500 on PostgreSQL (a NUL byte in a query)."""
    sign_in(dsl)
    for suffix in ("", "pdf/"):
        assert client.get(f"/certificates/{serial}/{suffix}").status_code == 404
    for action in ("revoke", "reissue"):
        assert client.post(f"/certificates/{serial}/{action}/", {}).status_code == 404
