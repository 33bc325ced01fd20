"""Issued certificates never change: the PDF is rendered once, stored with its SHA-256, and
every download serves those bytes whatever changes afterwards."""

import hashlib
import io
import re

import pytest
import time_machine
from django.core.files.base import ContentFile
from PIL import Image

from certificates.models import Certificate
from certificates.rendering import certificate_render
from certificates.services import certificate_issue
from cpd.models import AuditEvent
from tests.certificates.conftest import COMPLETED_AT, pdf_lines, stored_bytes
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def download(client, certificate) -> bytes:
    response = client.get(f"/certificates/{certificate.serial}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


@pytest.fixture
def holder(member):
    return member("Amara", "Okonkwo", user__email="amara@oakwood.test")


@pytest.fixture
def certificate(holder, version, issue):
    return issue(membership=holder, version=version)


def test_issue_stores_the_pdf_with_its_sha256(certificate):
    data = stored_bytes(certificate)
    assert data.startswith(b"%PDF-")
    # Storage may add a suffix if the name is taken (tests share one media folder).
    assert re.fullmatch(
        rf"certificates/{COMPLETED_AT.year}/{certificate.serial}(_\w{{7}})?\.pdf",
        certificate.pdf.name,
    )
    assert certificate.pdf_sha256 == hashlib.sha256(data).hexdigest()


def test_pdf_is_filed_under_the_year_of_its_serial_not_of_its_render(holder, version, issue):
    """Completed (and so issued) in one year, rendered in the next: the file goes under the
    serial's year."""
    serial_year = COMPLETED_AT.year
    with time_machine.travel(COMPLETED_AT.replace(year=serial_year + 1, month=3), tick=False):
        certificate = issue(membership=holder, version=version, completed_at=COMPLETED_AT)

    assert certificate.serial == f"CPD-{serial_year}-{certificate.pk:06d}"
    assert re.fullmatch(
        rf"certificates/{serial_year}/{certificate.serial}(_\w{{7}})?\.pdf",
        certificate.pdf.name,
    )


def test_issue_is_idempotent_and_audited(certificate, holder):
    again = certificate_issue(enrolment=certificate.enrolment, score=50, notify=False)

    assert again.pk == certificate.pk
    assert list(Certificate.objects.filter(membership=holder)) == [certificate]
    events = AuditEvent.objects.filter(action="certificates.certificate.issued")
    assert [(e.target_id, e.data["serial"]) for e in events] == [
        (str(certificate.pk), certificate.serial)
    ]


def test_download_serves_the_stored_bytes(client, certificate, holder):
    client.login(username=holder.user.email, password=PASSWORD)
    assert hashlib.sha256(download(client, certificate)).hexdigest() == certificate.pdf_sha256


def test_later_changes_never_alter_an_issued_certificate(
    client, certificate, holder, version, school, settings, tmp_path
):
    stored = stored_bytes(certificate)
    digest = certificate.pdf_sha256

    # The holder changes their name, the school gets a logo, the course is retitled...
    holder.user.first_name, holder.user.last_name = "Amara", "Okonkwo-Smith"
    holder.user.save()
    logo = io.BytesIO()
    Image.new("RGB", (60, 20), (200, 0, 0)).save(logo, format="PNG")
    school.logo.save("new-logo.png", ContentFile(logo.getvalue()))
    school.name = "Oakwood Primary Academy"
    school.save()
    # (its version, which has learners, can no longer be changed at all: courses.querysets)
    version.course.title = "Recognising and reporting grooming"
    version.course.save()
    # ...and the host project overrides the certificate template.
    (tmp_path / "certificates").mkdir()
    (tmp_path / "certificates" / "certificate.html").write_text(
        "<html><body><p>Overridden {{ certificate.holder_name }}</p></body></html>"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]

    certificate.refresh_from_db()
    certificate_render(certificate=certificate)  # a stray re-render changes nothing
    certificate.refresh_from_db()

    assert certificate.pdf_sha256 == digest
    assert stored_bytes(certificate) == stored
    client.login(username=holder.user.email, password=PASSWORD)
    assert hashlib.sha256(download(client, certificate)).hexdigest() == digest
    assert "Amara Okonkwo" in pdf_lines(download(client, certificate))


def test_template_override_applies_to_new_certificates_only(
    certificate, member, version, issue, settings, tmp_path
):
    (tmp_path / "certificates").mkdir()
    (tmp_path / "certificates" / "certificate.html").write_text(
        '<html lang="en"><head><title>T</title></head>'
        "<body><p>Overridden for {{ certificate.holder_name }}</p></body></html>"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]

    newer = issue(membership=member("Ben", "Carter"), version=version)

    assert pdf_lines(stored_bytes(newer)) == ["Overridden for Ben Carter"]
    assert "Overridden for Amara Okonkwo" not in pdf_lines(stored_bytes(certificate))
