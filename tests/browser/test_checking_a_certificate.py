"""Checking a printed certificate in the browser, as an employer or an inspector would: the
QR code on the PDF decoded (zxing) to an absolute address that opens its verification; the
lookup by the typed code, and by serial number and surname; an empty lookup's error. An
axe-core scan and a 320 px reflow check on every page (``support.check_page``)."""

from urllib.parse import urlsplit

import pypdfium2
import pytest
import zxingcpp
from playwright.sync_api import expect

from tests.browser.support import PHONE, check_page
from tests.certificates.conftest import issue, member, stored_bytes, version  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def certificate(member, version, issue, settings, live_server):  # noqa: F811 - shared fixtures
    # The site's address as its certificates print it: the live server's, absolute.
    settings.CPD_BASE_URL = live_server.url
    return issue(membership=member("Amara", "Okonkwo"), version=version)


def test_qr_code_and_both_lookups_reach_the_certificates_check(new_page, certificate):
    visited = []
    page = new_page(PHONE)

    # The QR code printed on the PDF carries the site's full address, and opens the check.
    image = pypdfium2.PdfDocument(stored_bytes(certificate))[0].render(scale=4).to_pil()
    [scanned] = [code.text for code in zxingcpp.read_barcodes(image)]
    assert urlsplit(scanned).scheme == "http" and urlsplit(scanned).netloc
    assert scanned.endswith(f"/verify/{certificate.verification_code}/")
    page.goto(scanned)
    check_page(page, visited)
    expect(page.locator(".verdict__title")).to_have_text("Valid until 15 January 2027")

    # Typed from paper, in lower case with its hyphens.
    page.goto("/verify/")
    check_page(page, visited)
    page.get_by_label("Verification code").fill(certificate.code_for_people.lower())
    page.get_by_role("button", name="Check").click()
    page.wait_for_url(f"**/verify/{certificate.verification_code}/")
    expect(page.locator(".verdict__title")).to_have_text("Valid until 15 January 2027")

    # By the serial number and the holder's surname, in any case.
    page.goto("/verify/")
    page.get_by_label("Serial number").fill(certificate.serial.lower())
    page.get_by_label("Holder's surname").fill("OKONKWO")
    page.get_by_role("button", name="Check").click()
    page.wait_for_url(f"**/verify/{certificate.verification_code}/")
    check_page(page, visited)

    # An empty lookup says what to enter, and where.
    page.goto("/verify/")
    page.get_by_role("button", name="Check").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text(
        "Enter the verification code printed under the QR code, or the certificate's serial "
        "number and the holder's surname."
    )
    check_page(page, visited)
    assert visited == [
        f"/verify/{certificate.verification_code}/",
        "/verify/",
        f"/verify/{certificate.verification_code}/",
        "/verify/?code=&serial=&surname=",
    ]
