"""Training done elsewhere: evidence checked by content and size, kept private, verified or
rejected by the DSL, and counted by the compliance rules only once verified."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cpd.compliance.engine import compliance_rows
from cpd.models import AuditEvent, ExternalRecord
from tests.factories import PASSWORD, CourseVersionFactory, MembershipFactory, RequirementFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def png_bytes(size=(4, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    return buffer.getvalue()


def form_data(**overrides):
    data = {
        "title": "Level 1 safeguarding",
        "provider": "County council",
        "completed_on": "2026-10-01",
        "minutes": "90",
        "satisfies_course": "",
    }
    data.update(overrides)
    # The date is typed as day, month and year.
    year, month, day = data.pop("completed_on").split("-")
    data.update(completed_on_day=day, completed_on_month=month, completed_on_year=year)
    return data


def post_record(client, upload, **overrides):
    return client.post("/training/records/", {**form_data(**overrides), "evidence": upload})


def test_staff_records_training_with_pdf_evidence(client, staff):
    client.login(username=staff.user.email, password=PASSWORD)
    response = post_record(client, SimpleUploadedFile("cert.pdf", PDF, "application/pdf"))
    assert response["Location"] == "/training/records/"
    record = ExternalRecord.objects.get()
    assert (record.membership, record.title, record.status, record.minutes) == (
        staff,
        "Level 1 safeguarding",
        "pending",
        90,
    )
    assert record.evidence.name.startswith(f"evidence/{staff.school_id}/")
    assert record.evidence.name.endswith(".pdf")
    assert "cert" not in record.evidence.name
    assert AuditEvent.objects.filter(action="cpd.external_record.added").count() == 1


def test_png_evidence_accepted(client, staff):
    client.login(username=staff.user.email, password=PASSWORD)
    post_record(client, SimpleUploadedFile("photo.png", png_bytes(), "image/png"))
    assert ExternalRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "content_type", "found"),
    [
        (
            "cert.pdf",
            b"<html><script>alert(1)</script></html>",
            "application/pdf",
            "This file is a web page (HTML).",
        ),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
            "This file is an SVG image, which can carry scripts.",
        ),
        (
            "notes.png",
            b"just text pretending to be a picture",
            "image/png",
            "This file's contents are not any of those.",
        ),
    ],
)
def test_evidence_of_the_wrong_type_is_refused(client, staff, name, content, content_type, found):
    client.login(username=staff.user.email, password=PASSWORD)
    response = post_record(client, SimpleUploadedFile(name, content, content_type))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "evidence": [f"The file must be a PDF, PNG or JPEG. {found}"]
    }
    assert ExternalRecord.objects.count() == 0


def test_oversize_evidence_is_refused(client, staff, settings):
    settings.CPD_EVIDENCE_MAX_BYTES = 1024
    client.login(username=staff.user.email, password=PASSWORD)
    response = post_record(
        client, SimpleUploadedFile("big.png", png_bytes((300, 300)) + b"0" * 2000)
    )
    assert response.context["form"].errors["evidence"][0].startswith("The file is ")
    assert (
        response.context["form"]
        .errors["evidence"][0]
        .endswith("; evidence files must be 1.0\xa0KB or smaller.")
    )
    assert ExternalRecord.objects.count() == 0


def test_future_completion_date_is_refused(client, staff):
    client.login(username=staff.user.email, password=PASSWORD)
    response = post_record(client, SimpleUploadedFile("cert.pdf", PDF), completed_on="2999-01-01")
    assert response.context["form"].errors == {
        "completed_on": ["The date you completed it must be today or earlier."]
    }


def make_record(membership, **fields):
    return ExternalRecord.objects.create(
        membership=membership,
        title="Prevent awareness",
        provider="Home Office",
        completed_on=date(2026, 10, 1),
        minutes=45,
        evidence=SimpleUploadedFile("x.pdf", PDF),
        **fields,
    )


def test_evidence_served_to_the_owner_and_their_dsl_only(client, staff, dsl, other_school):
    record = make_record(staff)
    for person, status in [(staff, 200), (dsl, 200)]:
        client.login(username=person.user.email, password=PASSWORD)
        response = client.get(f"/training/records/{record.pk}/evidence/")
        assert response.status_code == status
        assert b"".join(response.streaming_content) == PDF
    for person in [
        MembershipFactory(school=staff.school),
        MembershipFactory(school=other_school, role="dsl"),
    ]:
        client.login(username=person.user.email, password=PASSWORD)
        assert client.get(f"/training/records/{record.pk}/evidence/").status_code == 404


def test_dsl_verifies_a_record_and_it_satisfies_the_requirement(client, staff, dsl):
    version = CourseVersionFactory(validity_months=None)
    requirement = RequirementFactory(course=version.course, renewal_months=12)
    record = make_record(staff)
    assert [r.status for r in compliance_rows(memberships=[staff], on=date(2026, 11, 27))] == [
        "not_started"
    ]
    client.login(username=dsl.user.email, password=PASSWORD)
    response = client.post(
        f"/schools/{dsl.school.slug}/records/{record.pk}/decide/",
        {"decision": "verify", "course": version.course.pk, "note": "Certificate checked"},
    )
    assert response["Location"] == f"/schools/{dsl.school.slug}/records/"
    record.refresh_from_db()
    assert (record.status, record.satisfies_course, record.verified_by) == (
        "verified",
        version.course,
        dsl.user,
    )
    rows = compliance_rows(memberships=[staff], on=date(2026, 11, 27))
    assert [(r.requirement, r.status, r.due_on) for r in rows] == [
        (requirement, "compliant", date(2027, 10, 1))
    ]
    event = AuditEvent.objects.get(action="cpd.external_record.verified")
    assert (event.actor, event.target_id, event.data) == (
        dsl.user,
        str(record.pk),
        {"counts_as": version.course.slug, "note": "Certificate checked"},
    )


def test_decision_without_a_choice_is_refused(client, staff, dsl):
    record = make_record(staff)
    client.login(username=dsl.user.email, password=PASSWORD)
    response = client.post(
        f"/schools/{dsl.school.slug}/records/{record.pk}/decide/", {}, follow=True
    )
    assert "Choose whether to verify or reject the record." in response.content.decode()
    record.refresh_from_db()
    assert record.status == "pending"


def test_another_schools_record_cannot_be_decided_or_listed(client, dsl, other_school):
    stranger = make_record(MembershipFactory(school=other_school))
    client.login(username=dsl.user.email, password=PASSWORD)
    assert (
        client.post(
            f"/schools/{dsl.school.slug}/records/{stranger.pk}/decide/", {"decision": "verify"}
        ).status_code
        == 404
    )
    assert client.get(f"/schools/{other_school.slug}/records/").status_code == 404
    page = client.get(f"/schools/{dsl.school.slug}/records/")
    assert page.context["records"] == []
    stranger.refresh_from_db()
    assert stranger.status == "pending"


def test_record_form_errors_name_each_field_and_its_fix(client, staff):
    client.login(username=staff.user.email, password=PASSWORD)
    response = client.post(
        "/training/records/",
        {"title": "", "provider": "", "completed_on_day": "3", "minutes": "0"},
    )
    assert response.context["form"].errors == {
        "title": ["Enter the name of the training."],
        "provider": ["Enter who provided the training."],
        "completed_on": ["Date you completed it must include a month and a year."],
        "minutes": ["How long the training took must be 1 minute or more."],
        "evidence": ["Choose the certificate or other evidence to upload."],
    }
    assert ExternalRecord.objects.count() == 0
