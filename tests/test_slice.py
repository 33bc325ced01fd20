"""The thinnest end-to-end slice, through Django's test client: a member of staff signs in,
sees their training, completes a course, passes its knowledge check and downloads a real
certificate PDF; their DSL sees them up to date on the school's compliance page."""

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.html import escape
from pypdf import PdfReader

from certificates.models import Certificate
from courses.models import Attempt, Choice, Enrolment, Lesson
from courses.selectors import scenario_served
from cpd.compliance.services import requirement_pack_load
from cpd.models import Membership
from tests.factories import PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db

COURSE = "Safeguarding induction for new staff, volunteers and governors"


def text_of(response) -> str:
    main = response.content.decode().split('<main id="main"', 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).strip()


def test_staff_member_completes_a_course_and_downloads_the_certificate(
    client, school, dsl, induction, django_capture_on_commit_callbacks
):
    requirement_pack_load(name="kcsie")
    staff = MembershipFactory(
        school=school,
        user__first_name="Tom",
        user__last_name="Becker",
        user__email="tom.becker@oakwood.test",
        staff_category=Membership.StaffCategory.SUPPORT,
        started_on=timezone.localdate() - timedelta(days=3),
    )

    response = client.post(
        "/accounts/login/", {"login": "Tom.Becker@Oakwood.test", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    response = client.get("/")  # the home page says what to do next
    assert response.status_code == 200
    assert f"{COURSE} Due by" in text_of(response)
    assert "In induction" in text_of(response)

    response = client.get("/courses/safeguarding-induction/")
    assert response.status_code == 200
    response = client.post("/courses/safeguarding-induction/start/")
    lessons = list(induction.lessons.order_by("position"))
    assert response["Location"] == f"/courses/safeguarding-induction/lessons/{lessons[0].slug}/"

    for lesson in lessons:
        url = f"/courses/safeguarding-induction/lessons/{lesson.slug}/"
        page = client.get(url)
        assert page.status_code == 200
        assert escape(lesson.title) in page.content.decode()
        if lesson.kind == Lesson.Kind.SCENARIO:
            [best] = scenario_served(
                enrolment_id=Enrolment.objects.get(membership=staff).pk,
                choices=[lesson.choices.get(is_best=True)],
            )
            response = client.post(url, {"choice": best.value})
            assert response["Location"] == url + "#feedback"
            feedback = client.get(url)
            assert "Best response" in text_of(feedback)
        elif lesson.kind == Lesson.Kind.ACKNOWLEDGEMENT:
            client.post(url, {"confirm": "on"})
        else:
            client.post(url)

    enrolment = Enrolment.objects.get(membership=staff)
    assert enrolment.progress.filter(completed_at__isnull=False).count() == len(lessons)
    response = client.post("/courses/safeguarding-induction/check/")
    assert response["Location"] == "/courses/safeguarding-induction/check/1/"
    attempt = Attempt.objects.get(enrolment=enrolment)
    form = client.get("/courses/safeguarding-induction/check/1/")
    assert form.status_code == 200
    answers = {}
    for item in attempt.served:
        correct = set(
            Choice.objects.filter(question_id=item["question"], is_correct=True).values_list(
                "pk", flat=True
            )
        )
        answers[f"q{item['question']}"] = [
            value
            for pk, value in zip(item["choices"], item["values"], strict=True)
            if pk in correct
        ]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/courses/safeguarding-induction/check/1/", answers, follow=True)
    assert "You passed" in text_of(response)
    assert "Your score: 100%" in text_of(response)

    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.holder_name == "Tom Becker"
    assert certificate.status == Certificate.Status.VALID
    assert re.fullmatch(r"CPD-\d{4}-\d{6}", certificate.serial)
    assert [m.to for m in mail.outbox] == [["tom.becker@oakwood.test"]]
    assert f"https://cpd.example.org/certificates/{certificate.serial}/" in mail.outbox[0].body

    download = client.get(f"/certificates/{certificate.serial}/pdf/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    data = b"".join(download.streaming_content)
    assert data.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Tom Becker" in text
    assert certificate.serial in text

    training = client.get("/training/")
    assert f"{COURSE} Done — does not need renewing" in text_of(training)

    client.logout()
    client.login(username=dsl.user.email, password=PASSWORD)
    compliance = client.get(f"/schools/{school.slug}/compliance/")
    assert compliance.status_code == 200
    rows = {line.membership.user.email: line.cells for line in compliance.context["page"]}
    statuses = {
        email: [cell.status if cell else None for cell in cells] for email, cells in rows.items()
    }
    names = [r.name for r in compliance.context["matrix"].requirements]
    assert names == ["Safeguarding induction"]
    assert statuses == {
        "david@oakwood.test": ["overdue"],
        "tom.becker@oakwood.test": ["compliant"],
    }
    assert "Tom Becker" in text_of(compliance)


def test_compliance_page_of_another_school_is_not_found(client, dsl, other_school):
    client.login(username=dsl.user.email, password=PASSWORD)
    assert client.get(f"/schools/{other_school.slug}/compliance/").status_code == 404
    assert client.get(f"/schools/{dsl.school.slug}/compliance/").status_code == 200


def test_compliance_page_refused_to_staff(client, staff):
    client.login(username=staff.user.email, password=PASSWORD)
    assert client.get(f"/schools/{staff.school.slug}/compliance/").status_code == 403


def test_certificate_of_another_person_is_not_found(client, staff, school):
    from tests.factories import CertificateFactory

    theirs = CertificateFactory(enrolment__membership__school=school)
    mine = CertificateFactory(enrolment__membership=staff)
    client.login(username=staff.user.email, password=PASSWORD)
    assert client.get(f"/certificates/{theirs.serial}/").status_code == 404
    assert client.get(f"/certificates/{mine.serial}/").status_code == 200
