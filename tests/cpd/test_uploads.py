"""Uploaded files: kept under the type their content is, images re-encoded within a pixel
limit, and bodies too large refused from their declared length before they are read,
through the real WSGI server."""

import http.client
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cpd.models import ExternalRecord, Membership
from tests.factories import PASSWORD, MembershipFactory
from tests.hostile.corpus import pdf, png_declaring

FORM = {
    "title": "Level 1 safeguarding",
    "provider": "County council",
    "completed_on": "2026-01-10",
    "minutes": "90",
    "satisfies_course": "",
}


def stored(media: Path) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


@pytest.mark.django_db
def test_pdf_named_html_is_stored_as_pdf(client, staff, media):
    client.login(username=staff.user.email, password=PASSWORD)
    upload = SimpleUploadedFile("evil.html", pdf(), content_type="text/html")
    response = client.post("/training/records/", {**FORM, "evidence": upload})
    assert response.status_code == 302
    record = ExternalRecord.objects.get()
    assert record.evidence.name.endswith(".pdf")
    assert ".html" not in record.evidence.name
    assert stored(media) == [record.evidence.name]
    assert (media / record.evidence.name).read_bytes() == pdf()


@pytest.mark.django_db
def test_png_declaring_20000_by_20000_pixels_is_a_form_error_not_a_500(client, staff, media):
    bomb = png_declaring(20000, 20000)
    assert len(bomb) == 69
    client.login(username=staff.user.email, password=PASSWORD)
    response = client.post(
        "/training/records/",
        {**FORM, "evidence": SimpleUploadedFile("photo.png", bomb, content_type="image/png")},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "evidence": ["The image is too large to open (it may be a decompression bomb)."]
    }
    assert ExternalRecord.objects.count() == 0
    assert stored(media) == []


@pytest.mark.django_db
def test_jpeg_evidence_is_re_encoded_without_its_metadata(client, staff, media):
    exif = Image.Exif()
    exif[0x010F] = "Spy Camera Ltd"  # Make
    exif[0x0131] = "Where I took this: 51.5 N, 0.1 W"  # Software
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(buffer, format="JPEG", exif=exif)
    assert b"Spy Camera Ltd" in buffer.getvalue()
    client.login(username=staff.user.email, password=PASSWORD)
    upload = SimpleUploadedFile("photo.jpeg", buffer.getvalue(), content_type="image/jpeg")
    assert client.post("/training/records/", {**FORM, "evidence": upload}).status_code == 302
    record = ExternalRecord.objects.get()
    assert record.evidence.name.endswith(".jpg")
    kept = (media / record.evidence.name).read_bytes()
    assert b"Spy Camera Ltd" not in kept and b"Where I took this" not in kept
    with Image.open(io.BytesIO(kept)) as image:
        assert (image.format, image.size, dict(image.getexif())) == ("JPEG", (32, 32), {})


# -- bodies too large, through the real server -----------------------------------------------


def _raw_post(live_server, path: str, *, cookies: str, declared: int, sent: bytes, headers=None):
    """POST ``sent`` bytes while declaring ``declared``; read the answer without sending
    the rest. Returns (status, body)."""
    host, port = live_server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", "multipart/form-data; boundary=xyz")
    connection.putheader("Content-Length", str(declared))
    connection.putheader("Cookie", cookies)
    for name, value in (headers or {}).items():
        connection.putheader(name, value)
    connection.endheaders()
    connection.send(sent)
    response = connection.getresponse()  # answered while most of the body is unsent
    body = response.read().decode()
    connection.close()
    return response.status, body


def _session_cookie(client, user) -> str:
    client.login(username=user.email, password=PASSWORD)
    return f"sessionid={client.cookies['sessionid'].value}"


PART = b'--xyz\r\nContent-Disposition: form-data; name="evidence"; filename="big.pdf"\r\n\r\n'
THIRTY_MB = 30 * 1024 * 1024


@pytest.mark.django_db(transaction=True)
def test_oversize_evidence_body_is_refused_before_it_is_read(live_server, client, media):
    staff = MembershipFactory()
    status, body = _raw_post(
        live_server,
        "/training/records/",
        cookies=_session_cookie(client, staff.user),
        declared=THIRTY_MB,
        sent=PART + b"%PDF-1.7\n" + b"x" * 1024,
    )
    assert status == 413
    assert "The upload is 30.0\xa0MB; files here must be 5.0\xa0MB or smaller." in body
    assert ExternalRecord.objects.count() == 0
    assert stored(media) == []


@pytest.mark.django_db(transaction=True)
def test_oversize_staff_file_is_refused_before_it_is_read(live_server, client, media):
    admin = MembershipFactory(role=Membership.Role.SCHOOL_ADMIN)
    status, body = _raw_post(
        live_server,
        f"/schools/{admin.school.slug}/staff/import/",
        cookies=_session_cookie(client, admin.user),
        declared=THIRTY_MB,
        sent=PART.replace(b'"evidence"', b'"file"') + b"email,first name\n" * 64,
    )
    assert status == 413
    assert "The upload is 30.0\xa0MB; files here must be 5.0\xa0MB or smaller." in body
    assert Membership.objects.count() == 1
    assert stored(media) == []


@pytest.mark.django_db(transaction=True)
def test_oversize_staff_file_to_the_api_is_refused_before_it_is_read(live_server, media):
    from tests.factories import api_key_for

    admin = MembershipFactory(role=Membership.Role.SCHOOL_ADMIN)
    key = api_key_for(admin.user)
    status, body = _raw_post(
        live_server,
        f"/api/v1/schools/{admin.school.slug}/staff/import/",
        cookies="",
        declared=THIRTY_MB,
        sent=PART.replace(b'"evidence"', b'"file"') + b"email,first name\n" * 64,
        headers={"Authorization": f"Token {key}"},
    )
    assert status == 413
    assert '"code":"too_large"' in body.replace(" ", "")
    assert "The upload is 30.0\xa0MB; files here must be 5.0\xa0MB or smaller." in body
    assert Membership.objects.count() == 1
    assert stored(media) == []


# -- school logos (admin) ----------------------------------------------------------------------


@pytest.mark.django_db
def test_school_logo_is_kept_by_its_real_type_and_a_pixel_bomb_is_a_form_error(
    admin_client, school, media
):
    from tests.hostile.corpus import png

    url = f"/admin/cpd/school/{school.pk}/change/"
    form = {
        "name": school.name,
        "slug": school.slug,
        "urn": "",
        "trust": school.trust_id,
        "country": school.country,
        "timezone": school.timezone,
    }
    bomb = SimpleUploadedFile("logo.png", png_declaring(20000, 20000), content_type="image/png")
    response = admin_client.post(url, {**form, "logo": bomb})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "logo": ["The image is too large to open (it may be a decompression bomb)."]
    }
    assert stored(media) == []
    disguised = SimpleUploadedFile("logo.html", png((16, 16)), content_type="text/html")
    assert admin_client.post(url, {**form, "logo": disguised}).status_code == 302
    school.refresh_from_db()
    assert school.logo.name.startswith("schools/logos/logo") and school.logo.name.endswith(".png")
    assert stored(media) == [school.logo.name]
