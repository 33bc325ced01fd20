"""Public verification: the page and the API, for every status, an unknown code, the
rate limit, and the code's strength."""

import re
from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from certificates.models import Certificate
from certificates.services import CODE_ALPHABET
from tests.certificates.conftest import text_of
from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db

TODAY = date.today()


def make(school, **fields):
    defaults = {
        "holder_name": "Amara Okonkwo",
        "course_title": "Recognising grooming",
        "course_version_number": 2,
        "reviewed_against": "KCSIE 2025",
        "completed_on": date(2025, 9, 1),
        "expires_on": date(TODAY.year + 1, 9, 1),
        "serial": "CPD-2025-000042",
    }
    return CertificateFactory(enrolment__membership__school=school, **{**defaults, **fields})


STATUSES = [
    ({}, "valid", "Valid"),
    ({"expires_on": date(2025, 9, 2)}, "expired", "Expired"),
    (
        {"status": "revoked", "revoked_at": datetime(2025, 10, 1, 9, tzinfo=UTC)},
        "revoked",
        "Revoked",
    ),
    ({"status": "superseded"}, "superseded", "Replaced by a newer certificate"),
]


@pytest.mark.parametrize(("fields", "status", "label"), STATUSES)
def test_verify_page_shows_status_and_details(client, school, fields, status, label):
    certificate = make(school, **fields)

    response = client.get(f"/verify/{certificate.verification_code}/")

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    expires = certificate.expires_on.strftime("%-d %B %Y")
    today = timezone.localdate().strftime("%-d %B %Y")
    verdict = {
        "valid": f"Valid until {expires}",
        "expired": f"Expired on {expires}",
        "revoked": "Revoked on 1 October 2025",
        "superseded": label,
    }[status]
    revoked = " Revoked on 1 October 2025" if status == "revoked" else ""
    assert text_of(response) == (
        f"Certificate check {verdict} Amara Okonkwo — Recognising grooming "
        f"Checked on {today} "
        "Awarded to Amara Okonkwo "
        "Course Recognising grooming (version 2, KCSIE 2025) "
        "School Oakwood Primary School "
        "Completed 1 September 2025 "
        f"Expires {expires}{revoked} "
        "Serial number CPD-2025-000042 "
        f"Verification code {certificate.code_for_people} "
        "Check another certificate"
    )


@pytest.mark.parametrize(("fields", "status", "label"), STATUSES)
def test_verify_api_returns_status_and_details(client, school, fields, status, label):
    certificate = make(school, **fields)

    response = client.get(f"/api/v1/verify/{certificate.verification_code}/")

    assert response.status_code == 200
    assert response.json() == {
        "serial": "CPD-2025-000042",
        "status": status,
        "holder_name": "Amara Okonkwo",
        "course": "Recognising grooming",
        "course_version": 2,
        "reviewed_against": "KCSIE 2025",
        "school": "Oakwood Primary School",
        "completed_on": "2025-09-01",
        "expires_on": certificate.expires_on.isoformat(),
        "revoked_on": "2025-10-01" if status == "revoked" else None,
        "reissued": None,
    }


def test_verify_unknown_code_is_a_clear_not_found(client, school):
    make(school)
    page = client.get("/verify/not-a-real-code/")
    api = client.get("/api/v1/verify/not-a-real-code/")

    assert page.status_code == 404
    assert text_of(page) == (
        "Certificate not found No certificate has this verification code. Check the code "
        "against the certificate, or scan its QR code. Try another code"
    )
    assert api.status_code == 404
    # The project's API error handler adds a machine-readable code to DRF's "detail".
    assert api.json() == {
        "detail": "No certificate has this verification code.",
        "code": "not_found",
    }


def test_verify_api_needs_no_login_and_ignores_credentials(client, school, staff):
    certificate = make(school)
    client.force_login(staff.user)
    response = client.get(f"/api/v1/verify/{certificate.verification_code}/")
    assert response.status_code == 200


def test_verify_page_is_rate_limited_per_ip(client, school, settings):
    settings.CPD_VERIFY_RATE = "2/h"
    certificate = make(school)
    url = f"/verify/{certificate.verification_code}/"

    statuses = [client.get(url).status_code for _ in range(2)]
    limited = client.get(url)
    unknown_code = client.get("/verify/guessing-codes/")
    other_ip = client.get(url, REMOTE_ADDR="10.0.0.2")

    assert statuses == [200, 200]
    assert limited.status_code == 429
    assert limited["Retry-After"] == "60"
    assert text_of(limited) == (
        "Too many checks You have checked a lot of certificates in a short time, so we have "
        "paused checks from your connection for a moment. Wait a minute, then try again. "
        "Check a certificate"
    )
    assert unknown_code.status_code == 429
    assert other_ip.status_code == 200


def test_verify_api_is_rate_limited_per_ip(client, school, settings):
    settings.CPD_VERIFY_RATE = "2/h"
    certificate = make(school)
    url = f"/api/v1/verify/{certificate.verification_code}/"

    statuses = [client.get(url).status_code for _ in range(2)]
    limited = client.get(url)
    other_ip = client.get(url, REMOTE_ADDR="10.0.0.2")

    assert statuses == [200, 200]
    assert limited.status_code == 429
    assert limited.json()["detail"].startswith("Request was throttled.")
    assert other_ip.status_code == 200


def test_verification_code_is_sixteen_crockford_characters_80_random_bits(member, version, issue):
    certificate = issue(membership=member(), version=version)
    code = certificate.verification_code

    assert re.fullmatch(r"[0-9ABCDEFGHJKMNPQRSTVWXYZ]{16}", code)
    assert len(CODE_ALPHABET) ** len(code) == 2**80
    assert certificate.code_for_people == "-".join(code[i : i + 4] for i in (0, 4, 8, 12))


def test_verification_codes_are_unique_per_certificate(member, version, issue):
    first = issue(membership=member("A", "One"), version=version)
    second = issue(membership=member("B", "Two"), version=version)
    assert first.verification_code != second.verification_code
    assert Certificate.objects.count() == 2


SHAPE = "Error: A verification code has only letters and numbers (and hyphens between groups)."


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("a/b", SHAPE),
        ("../etc", SHAPE),
        ("x" * 79, SHAPE),
        ("bad code!", SHAPE),
        ("é", SHAPE),
        ("a\x00b", "Error: Null characters are not allowed."),
    ],
)
def test_verify_lookup_of_a_code_that_cannot_be_one_says_so(client, school, code, error):
    """Typed into the form: once a 500 (a code with a slash has no verify address)."""
    response = client.get("/verify/", {"code": code})
    assert response.status_code == 400
    assert error in text_of(response)


@pytest.mark.parametrize("code", ["%00", "a%00b", "x" * 65, "%C3%A9"])
def test_verify_address_with_a_code_that_cannot_be_one_is_not_found(client, school, code):
    page = client.get(f"/verify/{code}/")
    api = client.get(f"/api/v1/verify/{code}/")
    assert (page.status_code, api.status_code) == (404, 404)
    assert api.json()["code"] == "not_found"


def test_verify_lookup_of_a_real_code_goes_to_its_page(client, school):
    certificate = make(school)
    response = client.get("/verify/", {"code": f" {certificate.verification_code} "})
    assert response["Location"] == f"/verify/{certificate.verification_code}/"


# -- behind one trusted reverse proxy (CPD_TRUSTED_PROXY_COUNT = 1) -------------------------

PROXY = "10.0.0.1"  # the proxy's own address: every request arrives from it


def _through_proxy(client, url, forwarded_for):
    return client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


@pytest.mark.parametrize("path", ["/verify/{code}/", "/api/v1/verify/{code}/"])
def test_verify_behind_a_proxy_counts_each_client_apart(client, school, settings, path):
    """40 clients through the one proxy each get their own allowance: none is refused
    because the others checked certificates too."""
    settings.CPD_TRUSTED_PROXY_COUNT = 1
    settings.CPD_VERIFY_RATE = "2/h"
    url = path.format(code=make(school).verification_code)

    statuses = [
        _through_proxy(client, url, f"198.51.100.{n}").status_code
        for n in range(1, 41)
        for _ in range(2)
    ]

    assert statuses == [200] * 80
    assert _through_proxy(client, url, "198.51.100.7").status_code == 429
    assert _through_proxy(client, url, "198.51.100.41").status_code == 200


@pytest.mark.parametrize("path", ["/verify/{code}/", "/api/v1/verify/{code}/"])
def test_verify_behind_a_proxy_ignores_a_spoofed_extra_hop(client, school, settings, path):
    """A client that writes its own X-Forwarded-For gets it appended to by the proxy: the
    made-up addresses on the left do not make it a new client."""
    settings.CPD_TRUSTED_PROXY_COUNT = 1
    settings.CPD_VERIFY_RATE = "2/h"
    url = path.format(code=make(school).verification_code)

    statuses = [
        _through_proxy(client, url, f"192.0.2.{n}, 198.51.100.9").status_code for n in range(1, 4)
    ]

    assert statuses == [200, 200, 429]
    assert _through_proxy(client, url, "198.51.100.9").status_code == 429


@pytest.mark.parametrize("path", ["/verify/{code}/", "/api/v1/verify/{code}/"])
def test_verify_with_no_trusted_proxy_ignores_x_forwarded_for(client, school, settings, path):
    """The default: REMOTE_ADDR is the client, whatever X-Forwarded-For says (rotating it
    used to slip past the API's throttle)."""
    settings.CPD_VERIFY_RATE = "2/h"
    url = path.format(code=make(school).verification_code)

    statuses = [
        client.get(url, REMOTE_ADDR="198.51.100.3", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
        for n in range(1, 4)
    ]

    assert statuses == [200, 200, 429]
