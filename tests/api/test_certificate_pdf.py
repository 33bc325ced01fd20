"""Opening a certificate's PDF: ``GET /certificates/<serial>/pdf/`` and
``GET /api/v1/certificates/<serial>/pdf/`` give one answer, from one service."""

import pytest
from rest_framework.test import APIClient

from cpd.privacy.services import person_anonymise
from tests.api.clients import api_client
from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db

REMOVED = "This certificate's file was removed when its holder was anonymised."


def token_client(user) -> APIClient:
    """A token for admins, a session for others (``tests.api.clients``)."""
    return api_client(user)


def stored_files(media) -> list[str]:
    return sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file())


def test_pdf_of_an_anonymised_holder_is_refused_alike_and_nothing_is_written(
    client, sign_in, dsl, staff, media
):
    certificate = CertificateFactory(enrolment__membership=staff, serial="CPD-2026-000101")
    person_anonymise(user=staff.user)
    sign_in(dsl)

    page = client.get("/certificates/CPD-2026-000101/pdf/")
    api = token_client(dsl.user).get("/api/v1/certificates/CPD-2026-000101/pdf/")

    assert page.status_code == 404
    assert page.context["exception"] == REMOVED
    assert (api.status_code, api.json()) == (404, {"detail": REMOVED, "code": "anonymised"})
    certificate.refresh_from_db()
    assert certificate.pdf.name == ""
    assert stored_files(media) == []


def test_missing_pdf_is_rendered_once_for_the_page_and_the_api(client, sign_in, staff, media):
    """A PDF whose render task has not run yet is rendered on first open and stored; the
    second open, from the other side, serves the same stored file."""
    certificate = CertificateFactory(enrolment__membership=staff, serial="CPD-2026-000102")
    sign_in(staff)

    api = token_client(staff.user).get("/api/v1/certificates/CPD-2026-000102/pdf/")
    page = client.get("/certificates/CPD-2026-000102/pdf/")

    certificate.refresh_from_db()
    assert stored_files(media) == [certificate.pdf.name]
    stored = (media / certificate.pdf.name).read_bytes()
    for response in (api, page):
        assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
        assert response["Content-Disposition"] == 'attachment; filename="CPD-2026-000102.pdf"'
        assert b"".join(response.streaming_content) == stored
