"""The certificate PDF: every field, the QR code, fonts, metadata, size, PDF/UA, and safe
rendering of hostile names, titles and logo paths."""

import hashlib
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from django.core.files.base import ContentFile
from PIL import Image
from pypdf.generic import BooleanObject

import cpd
from certificates import pdf
from certificates.rendering import certificate_context, certificate_render
from cpd.models import School
from tests.certificates.conftest import (
    pdf_lines,
    pdf_reader,
    recorded_access,
    stored_bytes,
)
from tests.factories import CertificateFactory, CourseVersionFactory

pytestmark = pytest.mark.django_db

PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def qr_codes(data: bytes) -> list[str]:
    page = pypdfium2.PdfDocument(data)[0]
    image = page.render(scale=4).to_pil()
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def verify_url(certificate) -> str:
    return f"https://cpd.example.org/verify/{certificate.verification_code}/"


@pytest.fixture
def certificate(member, version, issue):
    return issue(membership=member("Amara", "Okonkwo"), version=version, score=85)


def test_certificate_pdf_text_has_every_field(certificate):
    lines = pdf_lines(stored_bytes(certificate))
    assert lines == [
        "Certificate of completion",
        "This certifies that",
        "Content reviewed against KCSIE 2025",
        "Completed",
        "15 January 2026",
        "Expires",
        "15 January 2027",
        "CPD hours",
        "1.5",
        "Score",
        "85%",
        "Serial number",
        certificate.serial,
        "Oakwood Primary School",
        "Amara Okonkwo",
        "completed Recognising grooming (version 2)",
        "Scan the code, or go to",
        "https://cpd.example.org/verify/",
        "and enter the code",
        certificate.code_for_people,
    ]
    assert re.fullmatch(r"CPD-2026-\d{6}", certificate.serial)
    assert re.fullmatch(
        r"([0-9A-HJKMNP-TV-Z]{4}-){3}[0-9A-HJKMNP-TV-Z]{4}", certificate.code_for_people
    )


def test_certificate_names_the_schools_dsl_who_signs_it(dsl, member, version, issue):
    certificate = issue(membership=member("Amara", "Okonkwo"), version=version)
    lines = pdf_lines(stored_bytes(certificate))
    signed = lines.index("Signed on behalf of the school by")
    assert lines[signed : signed + 3] == [
        "Signed on behalf of the school by",
        "David Okafor",
        "Designated safeguarding lead",
    ]
    assert (certificate.signatory_name, certificate.signatory_role) == (
        "David Okafor",
        "Designated safeguarding lead",
    )


def test_certificate_qr_code_decodes_to_the_verification_url(certificate):
    assert qr_codes(stored_bytes(certificate)) == [verify_url(certificate)]


def test_certificate_fonts_are_embedded_and_subset(certificate):
    page = pdf_reader(stored_bytes(certificate)).pages[0]
    fonts = [font.get_object() for font in page["/Resources"]["/Font"].values()]
    assert len(fonts) == 3  # DejaVu Sans, DejaVu Sans Bold, DejaVu Sans Mono
    for font in fonts:
        assert re.fullmatch(r"/[A-Z]{6}\+DejaVu-Sans(-Bold|-Mono|-Mono-Bold)?", font["/BaseFont"])
        for descendant in font["/DescendantFonts"]:
            descriptor = descendant.get_object()["/FontDescriptor"].get_object()
            assert re.fullmatch(r"/[A-Z]{6}\+.+", descriptor["/FontName"])
            assert ("/FontFile2" in descriptor) or ("/FontFile3" in descriptor)


def test_certificate_metadata_title_author_subject(certificate):
    metadata = pdf_reader(stored_bytes(certificate)).metadata
    assert metadata.title == "Certificate: Recognising grooming"
    assert metadata.author == "Oakwood Primary School"
    assert metadata.subject == (
        f"Amara Okonkwo completed Recognising grooming ({certificate.serial})"
    )
    assert metadata.creator == "Safeguarding CPD"


def test_certificate_is_a_tagged_pdf_ua_1(certificate):
    reader = pdf_reader(stored_bytes(certificate))
    root = reader.trailer["/Root"]
    xmp = ET.fromstring(reader.xmp_metadata.stream.get_data())  # noqa: S314 - our own PDF
    parts = [
        node.get(f"{{{PDFUA_NS}}}part")
        for node in xmp.iter(f"{{{RDF_NS}}}Description")
        if node.get(f"{{{PDFUA_NS}}}part")
    ]
    assert parts == ["1"]
    assert root["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"


def test_certificate_without_logo_is_under_50_kb(certificate):
    data = stored_bytes(certificate)
    assert len(data) < 50 * 1024
    assert hashlib.sha256(data).hexdigest() == certificate.pdf_sha256


def test_certificate_shows_the_school_logo_from_storage(member, version, issue, school):
    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), (29, 79, 145)).save(buffer, format="PNG")
    school.logo.save("oakwood.png", ContentFile(buffer.getvalue()))
    membership = member()
    context = certificate_context(issue(membership=membership, version=version))

    rendered = pdf.certificate_pdf(context=context, logo=school.logo)

    assert rendered.fetcher.refused == []
    assert rendered.fetcher.fetched == [f"cpd-media:{school.logo.name}", context["qr_code"]]
    page = pdf_reader(rendered.data).pages[0]
    assert len(page.images) == 1


def test_system_check_finds_weasyprint_and_harfbuzz_subsetting():
    from certificates.checks import weasyprint_libraries

    assert weasyprint_libraries(None) == []


def test_font_configuration_is_one_per_process():
    assert pdf.font_configuration() is pdf.font_configuration()


# Safe rendering -------------------------------------------------------------------------

HOSTILE_NAME = '<img src="file:///etc/passwd">'
HOSTILE_TITLE = 'Safe working <link rel="attachment" href="file:///etc/hostname">'


def _non_module_paths(events) -> list[str]:
    """Files opened from Python other than imports, time zones and bare descriptors."""
    return sorted(
        path
        for event, path in events
        if event == "open"
        and not path.isdigit()
        and not path.endswith((".py", ".pyc", ".zip", ".mo"))
        and "/zoneinfo/" not in path
    )


def test_hostile_name_title_and_logo_render_as_text_and_fetch_nothing(
    member, version, issue, school, certificate, caplog
):
    # A first render has warmed up imports and fonts; now record everything.
    # A version nobody has learned from yet: one with learners is fixed (courses.querysets).
    version = CourseVersionFactory(title=HOSTILE_TITLE, number=2)
    School.objects.filter(pk=school.pk).update(logo="https://evil.example/logo.png")
    membership = member(HOSTILE_NAME, "Smith")

    with recorded_access() as events, caplog.at_level("WARNING", logger="certificates.pdf"):
        hostile = issue(membership=membership, version=version)
    warnings = [r.getMessage() for r in caplog.records if r.name == "certificates.pdf"]
    context = certificate_context(hostile)
    rendered = pdf.certificate_pdf(context=context, logo=School.objects.get(pk=school.pk).logo)

    lines = pdf_lines(stored_bytes(hostile))
    assert f"{HOSTILE_NAME} Smith" in lines
    assert " ".join(lines).count(f"completed {HOSTILE_TITLE} (version 2)") == 1
    assert rendered.fetcher.refused == ["cpd-media:https://evil.example/logo.png"]
    assert rendered.fetcher.fetched == [context["qr_code"]]
    assert [event for event, _ in events if event != "open"] == []  # no urllib, no socket
    assert _non_module_paths(events) == [hostile.pdf.path]  # only the stored PDF, written
    assert pdf_reader(stored_bytes(hostile)).attachments == {}
    assert warnings == [
        "Certificate render refused to fetch 'cpd-media:https://evil.example/logo.png'"
    ]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///etc/hostname",
        "https://evil.example/logo.png",
        "http://127.0.0.1:8000/",
        "ftp://evil.example/x",
        "cpd-static:../../../etc/passwd",
        "cpd-static:/etc/passwd",
        "cpd-static:cpd/../../etc/passwd",
        "cpd-media:schools/logos/other-school.png",
        "cpd-media:../../etc/passwd",
        "data:text/html;base64,PGgxPmhpPC9oMT4=",
    ],
)
def test_fetcher_refuses_and_records_everything_else(url, school):
    school.logo.save("allowed.png", ContentFile(b"\x89PNG"))
    fetcher = pdf.CertificateURLFetcher(media={school.logo.name: school.logo.storage})

    with recorded_access() as events, pytest.raises(pdf.RefusedURL):
        fetcher(url)

    assert fetcher.refused == [url]
    assert fetcher.fetched == []
    assert [event for event, _ in events if event != "open"] == []
    assert _non_module_paths(events) == []


def test_fetcher_serves_project_static_files_and_the_named_logo(school):
    school.logo.save("allowed.png", ContentFile(b"\x89PNG-logo"))
    fetcher = pdf.CertificateURLFetcher(media={school.logo.name: school.logo.storage})

    static = fetcher("cpd-static:cpd/cpd.css")
    logo = fetcher(f"cpd-media:{school.logo.name}")

    assert static.read() == (Path(cpd.__file__).parent / "static/cpd/cpd.css").read_bytes()
    assert logo.read() == b"\x89PNG-logo"
    assert logo.content_type == "image/png"
    assert fetcher.refused == []


@pytest.mark.parametrize(
    ("first_name", "last_name"),
    [
        ("Zoë", "Ångström-Núñez"),
        ("Siobhán", "Ó Súilleabháin"),
        ("فاطمة", "الزهراء"),
        ("שרה", "כהן"),
        ("Maximilian Alexander Friedrich", "von Hohenzollern-Sigmaringen Bartholomew-Smyth"),
        ("W" * 40, "M" * 39),
    ],
)
def test_names_render_on_one_page(member, version, issue, first_name, last_name):
    name = f"{first_name} {last_name}"
    certificate = issue(membership=member(first_name, last_name), version=version)
    data = stored_bytes(certificate)

    assert len(pdf_reader(data).pages) == 1
    # Wrapping may split a long name over lines: compare without whitespace.
    assert "".join(name.split()) in "".join("".join(pdf_lines(data)).split())
    assert qr_codes(data) == [verify_url(certificate)]
    assert len(data) < 50 * 1024


def test_long_name_and_title_keep_the_layout(member, version, issue):
    version.title = "Safeguarding and child protection for everyone working in schools " * 2
    version.save()
    name = ("Maximilian Alexander Friedrich", "von Hohenzollern-Sigmaringen Bartholomew-Smyth")
    certificate = issue(membership=member(*name), version=version)
    data = stored_bytes(certificate)

    assert len(pdf_reader(data).pages) == 1
    assert qr_codes(data) == [verify_url(certificate)]
    assert f"Serial number {certificate.serial}" in " ".join(pdf_lines(data))


def test_render_twice_keeps_the_first_file(member, version, issue):
    certificate = issue(membership=member(), version=version)
    first = (certificate.pdf.name, certificate.pdf_sha256)

    again = certificate_render(certificate=certificate)

    assert (again.pdf.name, again.pdf_sha256) == first


def test_factory_certificate_renders_on_demand(school):
    certificate = CertificateFactory(enrolment__membership__school=school)
    certificate_render(certificate=certificate)
    assert hashlib.sha256(stored_bytes(certificate)).hexdigest() == certificate.pdf_sha256
