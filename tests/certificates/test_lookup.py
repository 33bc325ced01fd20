"""Certificates worth printing: a code a person can type, lookup by serial and surname, a QR
code that carries an absolute address that verifies, and a site that refuses to run
without that address."""

from datetime import UTC, datetime

import pypdfium2
import pytest
import zxingcpp
from django.core.checks import Error
from django.utils import timezone

from certificates.models import Certificate
from cpd.checks import base_url
from tests.certificates.conftest import stored_bytes, text_of
from tests.factories import CertificateFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(school):
    return CertificateFactory(
        enrolment__membership__school=school,
        holder_name="Amara Okonkwo",
        serial="CPD-2026-000042",
        verification_code="5MWX2CQ8TRVH9G4N",
    )


@pytest.mark.parametrize(
    "typed",
    [
        "5MWX2CQ8TRVH9G4N",
        "5mwx-2cq8-trvh-9g4n",
        " 5MWX 2CQ8 TRVH 9G4N ",
        "5MWX-2CQ8-TRVH-9G4N",
    ],
)
def test_lookup_by_code_as_a_person_types_it(client, certificate, typed):
    response = client.get("/verify/", {"code": typed})
    assert (response.status_code, response["Location"]) == (302, "/verify/5MWX2CQ8TRVH9G4N/")


def test_lookup_reads_o_as_zero_and_i_or_l_as_one(client, school):
    CertificateFactory(enrolment__membership__school=school, verification_code="10Q4M2XD9PAB3RTW")
    for typed in ("IOQ4-M2XD-9PAB-3RTW", "lo-q4m2xd9pab3rtw"):
        response = client.get("/verify/", {"code": typed})
        assert response["Location"] == "/verify/10Q4M2XD9PAB3RTW/", typed


def test_an_older_long_code_still_verifies_exactly(client, school):
    old = CertificateFactory(
        enrolment__membership__school=school,
        verification_code="aB3_x-Long-URL-safe-code-12",
        holder_name="Amara Okonkwo",
    )
    assert client.get(f"/verify/{old.verification_code}/").status_code == 200
    response = client.get("/verify/", {"code": old.verification_code})
    assert response["Location"] == f"/verify/{old.verification_code}/"
    assert old.code_for_people == old.verification_code


@pytest.mark.parametrize("surname", ["Okonkwo", "okonkwo", " OKONKWO "])
def test_lookup_by_serial_and_surname(client, certificate, surname):
    response = client.get("/verify/", {"serial": "cpd-2026-000042", "surname": surname})
    assert (response.status_code, response["Location"]) == (302, "/verify/5MWX2CQ8TRVH9G4N/")


@pytest.mark.parametrize(
    ("serial", "surname"),
    [("CPD-2026-000042", "Smith"), ("CPD-2026-000043", "Okonkwo"), ("CPD-2026-000042", "Amara")],
)
def test_lookup_by_serial_with_the_wrong_surname_finds_nothing(
    client, certificate, serial, surname
):
    response = client.get("/verify/", {"serial": serial, "surname": surname})
    assert response.status_code == 404
    assert text_of(response).startswith(
        "Certificate not found No certificate matches what you entered."
    )
    assert "5MWX" not in response.content.decode()


def test_lookup_of_an_anonymised_certificate_by_surname_finds_nothing(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(anonymised_at=timezone.now())
    response = client.get("/verify/", {"serial": "CPD-2026-000042", "surname": "Okonkwo"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            {"code": ""},
            "id_code",
            "Enter the verification code printed under the QR code, or the certificate's "
            "serial number and the holder's surname.",
        ),
        (
            {"code": " ", "serial": "", "surname": ""},
            "id_code",
            "Enter the verification code printed under the QR code, or the certificate's "
            "serial number and the holder's surname.",
        ),
        (
            {"serial": "CPD-2026-000042"},
            "id_surname",
            "Enter the surname of the person named on the certificate.",
        ),
        (
            {"surname": "Okonkwo"},
            "id_serial",
            "Enter the serial number printed on the certificate.",
        ),
    ],
)
def test_an_incomplete_lookup_says_what_is_missing(client, certificate, query, field, message):
    response = client.get("/verify/", query)
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert f'<a href="#{field}">{message}</a>'.replace("'", "&#x27;") in body


def test_the_lookup_page_itself_shows_the_form_without_errors(client):
    response = client.get("/verify/")
    assert response.status_code == 200
    assert "There is a problem" not in response.content.decode()


@pytest.mark.parametrize(
    ("code", "status"), [("a/b", 400), ("../../etc", 400), ("%00", 400), ("x" * 500, 400)]
)
def test_a_malformed_code_is_refused_never_an_error(client, code, status):
    response = client.get("/verify/", {"code": code})
    assert response.status_code == status


def test_verify_page_opens_with_the_verdict_and_the_day_checked(client, school):
    expires = timezone.localdate().replace(year=timezone.localdate().year + 1)
    valid = CertificateFactory(enrolment__membership__school=school, expires_on=expires)
    revoked = CertificateFactory(
        enrolment__membership__school=school,
        status="revoked",
        revoked_at=datetime(2025, 10, 1, 9, tzinfo=UTC),
    )
    today = timezone.localdate().strftime("%-d %B %Y")
    assert text_of(client.get(f"/verify/{valid.verification_code}/")).startswith(
        f"Certificate check Valid until {expires.strftime('%-d %B %Y')} "
    )
    assert f"Checked on {today}" in text_of(client.get(f"/verify/{valid.verification_code}/"))
    assert text_of(client.get(f"/verify/{revoked.verification_code}/")).startswith(
        "Certificate check Revoked on 1 October 2025 "
    )


def test_qr_code_decodes_to_an_absolute_address_that_verifies(
    client, settings, member, version, issue
):
    settings.CPD_BASE_URL = "https://cpd.example.org"
    certificate = issue(membership=member("Amara", "Okonkwo"), version=version)
    page = pypdfium2.PdfDocument(stored_bytes(certificate))[0]
    [decoded] = [code.text for code in zxingcpp.read_barcodes(page.render(scale=4).to_pil())]

    assert decoded == f"https://cpd.example.org/verify/{certificate.verification_code}/"
    response = client.get(decoded.removeprefix("https://cpd.example.org"))
    assert response.status_code == 200
    assert text_of(response).startswith("Certificate check Valid until 15 January 2027 ")


def test_signatory_falls_back_to_the_schools_admin_by_job_title(school, member, version, issue):
    MembershipFactory(
        school=school,
        role="school_admin",
        job_title="Headteacher",
        user__first_name="Helen",
        user__last_name="Carter",
    )
    certificate = issue(membership=member("Amara", "Okonkwo"), version=version)
    assert (certificate.signatory_name, certificate.signatory_role) == (
        "Helen Carter",
        "Headteacher",
    )


def test_reissue_keeps_the_signatory(dsl, member, version, issue):
    from certificates.services import certificate_reissue

    certificate = issue(membership=member("Amara", "Okonkwo"), version=version)
    new = certificate_reissue(
        certificate=certificate, actor=dsl.user, reason="Name misspelt", holder_name="Amara Okonkwo"
    )
    assert (new.signatory_name, new.signatory_role) == (
        "David Okafor",
        "Designated safeguarding lead",
    )


@pytest.mark.parametrize(
    ("debug", "url", "ids"),
    [
        (False, "", ["cpd.E011"]),
        (True, "", []),
        (False, "cpd.example.org", ["cpd.E010"]),
        (False, "https://cpd.example.org", []),
    ],
)
def test_base_url_is_required_without_debug(settings, debug, url, ids):
    settings.DEBUG = debug
    settings.CPD_BASE_URL = url
    found = base_url(None)
    assert [e.id for e in found] == ids
    assert all(isinstance(e, Error) for e in found)
