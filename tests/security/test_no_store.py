"""``Cache-Control: no-store`` on every response carrying personal data: signed-in pages,
CSV and XLSX downloads, certificate PDFs, evidence files and packs, and API JSON
(``cpd.middleware.NoStoreMiddleware``, plus ``never_cache`` on the public verification
page). A host project without the middleware is warned by a system check."""

from datetime import date, timedelta

import pytest
from django.core.checks import run_checks
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from certificates.models import Export
from cpd.models import ExternalRecord
from tests.api.clients import api_client
from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db

NEVER = {"no-cache", "no-store", "must-revalidate", "private", "max-age=0"}


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


def token_client(user) -> APIClient:
    """A token where the person may hold one (admins), else a session: as they reach it."""
    return api_client(user)


@pytest.fixture
def certificate(staff, media, django_capture_on_commit_callbacks):
    from certificates.services import certificate_issue
    from courses.models import Enrolment
    from tests.factories import EnrolmentFactory

    enrolment = EnrolmentFactory(
        membership=staff,
        status=Enrolment.Status.COMPLETED,
        completed_at=timezone.now(),
        started_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        issued = certificate_issue(enrolment=enrolment, score=90, notify=False)
    issued.refresh_from_db()
    assert issued.pdf
    return issued


@pytest.mark.parametrize("path", ["/training/", "/certificates/", "/training/records/"])
def test_signed_in_pages_are_never_stored(sign_in, staff, path):
    response = sign_in(staff).get(path)
    assert response.status_code == 200
    assert cache_control(response) == NEVER


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_compliance_downloads_are_never_stored(sign_in, dsl, fmt):
    response = sign_in(dsl).get(f"/schools/{dsl.school.slug}/compliance.{fmt}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert cache_control(response) == NEVER


def test_certificate_pdf_is_never_stored_on_the_page_or_the_api(sign_in, staff, certificate):
    page = sign_in(staff).get(f"/certificates/{certificate.serial}/pdf/")
    api = token_client(staff.user).get(f"/api/v1/certificates/{certificate.serial}/pdf/")
    assert (page.status_code, api.status_code) == (200, 200)
    assert page["Content-Type"] == api["Content-Type"] == "application/pdf"
    assert cache_control(page) == cache_control(api) == NEVER


def test_evidence_file_and_evidence_pack_are_never_stored(sign_in, staff, dsl, media):
    record = ExternalRecord.objects.create(
        membership=staff,
        title="Prevent",
        provider="Home Office",
        completed_on=date(2026, 10, 1),
        minutes=45,
        evidence=SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    evidence = sign_in(staff).get(f"/training/records/{record.pk}/evidence/")
    assert evidence.status_code == 200
    assert cache_control(evidence) == NEVER

    export = Export.objects.create(
        school=dsl.school,
        requested_by=dsl.user,
        status=Export.Status.READY,
        expires_at=timezone.now() + timedelta(hours=1),
    )
    export.file.save("pack.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18))
    pack = sign_in(dsl).get(f"/schools/{dsl.school.slug}/evidence/{export.pk}/download/")
    assert pack.status_code == 200
    assert cache_control(pack) == NEVER


@pytest.mark.parametrize(
    "path", ["/api/v1/enrolments/", "/api/v1/certificates/", "/api/v1/schools/"]
)
def test_api_json_is_never_stored_with_a_token_or_a_session(sign_in, staff, path):
    by_token = token_client(staff.user).get(path)
    by_session = sign_in(staff).get(path)
    assert (by_token.status_code, by_session.status_code) == (200, 200)
    assert by_token["Content-Type"] == "application/json"
    assert cache_control(by_token) == cache_control(by_session) == NEVER


def test_public_verification_of_a_named_certificate_is_never_stored(client, staff):
    certificate = CertificateFactory(enrolment__membership=staff)
    page = client.get(f"/verify/{certificate.verification_code}/")
    api = client.get(f"/api/v1/verify/{certificate.verification_code}/")
    assert (page.status_code, api.status_code) == (200, 200)
    assert NEVER - {"private"} <= cache_control(page)
    assert "no-store" in cache_control(api)


def test_a_public_page_for_someone_signed_out_keeps_its_own_headers(client):
    # The lookup form is never cached by its own decorator, which the middleware leaves be.
    response = client.get("/verify/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_a_project_without_the_middleware_is_warned(settings):
    without = [m for m in settings.MIDDLEWARE if m != "cpd.middleware.NoStoreMiddleware"]
    with override_settings(MIDDLEWARE=without):
        ids = [message.id for message in run_checks()]
    assert "cpd.W016" in ids
    assert "cpd.W016" not in [message.id for message in run_checks()]
