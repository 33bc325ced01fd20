"""The API's behaviour: staff import, learning through to a certificate, tokens, errors,
the schema and docs page, and query counts for the list endpoints."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from certificates.models import Certificate
from courses.models import Choice, Lesson
from cpd.models import AuditEvent, Membership
from tests.factories import (
    CertificateFactory,
    MembershipFactory,
    RequirementFactory,
    TrustRoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CSV = (
    b"Email,First name,Last name,Role,Staff category,Job title,Start date\n"
    b"amy.patel@oakwood.test,Amy,Patel,staff,teaching,Class teacher,2024-09-01\n"
)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def upload(client, school, content: bytes, query: str = "", **fields):
    return client.post(
        f"/api/v1/schools/{school.slug}/staff/import/{query}",
        {"file": SimpleUploadedFile("staff.csv", content, content_type="text/csv"), **fields},
        format="multipart",
    )


def test_api_import_dry_run_returns_the_preview_and_saves_nothing(school, admin):
    response = upload(client_for(admin.user), school, CSV, "?dry_run=1")
    assert response.status_code == 200
    body = response.json()
    assert (body["applied"], body["counts"], body["adds"], body["errors"]) == (
        False,
        {"adds": 1, "updates": 0, "unchanged": 0, "leavers": 0, "errors": 0},
        [
            {
                "row": 2,
                "email": "amy.patel@oakwood.test",
                "first_name": "Amy",
                "last_name": "Patel",
                "role": "staff",
                "staff_category": "teaching",
                "job_title": "Class teacher",
                "started_on": "2024-09-01",
                "left_on": None,
            }
        ],
        [],
    )
    assert Membership.objects.filter(school=school).count() == 1
    assert AuditEvent.objects.count() == 0


def test_api_import_applies_and_invites(school, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client_for(admin.user), school, CSV)
    assert response.status_code == 200
    assert (response.json()["applied"], response.json()["counts"]["adds"]) == (True, 1)
    assert Membership.objects.filter(school=school, user__email="amy.patel@oakwood.test").exists()
    assert [m.to for m in mail.outbox] == [["amy.patel@oakwood.test"]]


def test_api_import_errors_are_json_by_row_and_column(school, admin):
    content = CSV.replace(b"2024-09-01", b"2024-13-01")
    response = upload(client_for(admin.user), school, content)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The file was not imported: 1 problem(s). Nothing was saved.",
        "code": "invalid_file",
        "errors": [
            {
                "row": 2,
                "column": "start date",
                "message": '"2024-13-01" is not a date. Use YYYY-MM-DD or DD/MM/YYYY, for '
                "example 2024-09-01 or 01/09/2024.",
            }
        ],
    }
    assert Membership.objects.filter(school=school).count() == 1
    # The dry run reports the same problem, with a 200 and the preview.
    dry = upload(client_for(admin.user), school, content, "?dry_run=1").json()
    assert dry["errors"] == response.json()["errors"]


def test_api_import_without_a_file_names_the_field(school, admin):
    response = client_for(admin.user).post(
        f"/api/v1/schools/{school.slug}/staff/import/", {}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "file: No file was submitted.",
        "code": "invalid",
        "fields": {"file": ["No file was submitted."]},
    }


def test_api_leave_marks_the_leaver(school, admin, staff):
    response = client_for(admin.user).post(
        f"/api/v1/schools/{school.slug}/staff/{staff.pk}/leave/", {"left_on": "2026-07-31"}
    )
    assert response.status_code == 200
    assert response.json()["left_on"] == "2026-07-31"
    bad = client_for(admin.user).post(
        f"/api/v1/schools/{school.slug}/staff/{staff.pk}/leave/", {"left_on": "2020-01-01"}
    )
    assert (bad.status_code, bad.json()) == (
        400,
        {
            "detail": "The leaving date must be on or after the start date, 2024-09-01.",
            "code": "refused",
        },
    )


def test_api_unknown_address_is_a_json_404():
    response = APIClient().get("/api/v1/no-such-thing/")
    assert (response.status_code, response.json()) == (
        404,
        {"detail": "There is no API endpoint at this address.", "code": "not_found"},
    )


def test_api_anonymous_is_a_json_401_with_a_challenge(school):
    response = APIClient().get("/api/v1/schools/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }


def test_api_invalid_filter_and_page_are_json_4xx(school, admin):
    client = client_for(admin.user)
    response = client.get(f"/api/v1/schools/{school.slug}/staff/", {"role": "boss"})
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "role": ["Select a valid choice. boss is not one of the available choices."]
    }
    response = client.get(f"/api/v1/schools/{school.slug}/staff/", {"page": "99"})
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    response = client.get(f"/api/v1/schools/{school.slug}/compliance/", {"on": "yesterday"})
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["on"]
    response = client.get(f"/api/v1/schools/{school.slug}/staff/99999999999999999999/")
    assert response.status_code == 404


# -- learning --------------------------------------------------------------------------------


def test_api_learner_completes_a_course_without_seeing_answers_first(
    school, induction, django_capture_on_commit_callbacks
):
    learner = MembershipFactory(school=school, user__email="learner@oakwood.test")
    client = client_for(learner.user)
    response = client.post("/api/v1/enrolments/", {"course": "safeguarding-induction"})
    assert response.status_code == 201
    enrolment = response.json()
    assert (enrolment["lessons_done"], enrolment["school"]) == (0, "oakwood-primary")

    early = client.post(f"/api/v1/enrolments/{enrolment['id']}/attempts/")
    assert (early.status_code, early.json()["detail"]) == (
        400,
        "Finish every lesson before the knowledge check.",
    )

    for lesson in induction.lessons.order_by("position"):
        body = {"lesson": lesson.slug}
        if lesson.kind == Lesson.Kind.SCENARIO:
            [best] = [
                c["value"]
                for entry in client.get(f"/api/v1/enrolments/{enrolment['id']}/").json()["lessons"]
                if entry["slug"] == lesson.slug
                for c in entry["choices"]
                if c["text"] == lesson.choices.get(is_best=True).text
            ]
            body["choice"] = best
        elif lesson.kind == Lesson.Kind.ACKNOWLEDGEMENT:
            body["confirm"] = True
        response = client.post(f"/api/v1/enrolments/{enrolment['id']}/lessons/", body)
        assert response.status_code == 200, response.json()
    detail = client.get(f"/api/v1/enrolments/{enrolment['id']}/").json()
    assert detail["lessons_done"] == detail["lessons_total"] == induction.lessons.count()
    assert all(lesson["done"] for lesson in detail["lessons"])

    response = client.post(f"/api/v1/enrolments/{enrolment['id']}/attempts/")
    assert response.status_code == 201
    attempt = response.json()
    assert attempt["review"] is None
    assert len(attempt["questions"]) == induction.questions_per_attempt
    for question in attempt["questions"]:
        assert set(question) == {"id", "kind", "prompt", "choices"}
        for choice in question["choices"]:
            assert set(choice) == {"value", "text"}
    text = response.content.decode()
    for secret in ("is_correct", "feedback", "explanation", "correct"):
        assert secret not in text

    answers = [
        {
            "question": q["id"],
            "choices": [
                c["value"]
                for c in q["choices"]
                if Choice.objects.get(question_id=q["id"], text=c["text"]).is_correct
            ],
        }
        for q in attempt["questions"]
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": answers}, format="json"
        )
    assert response.status_code == 200
    result = response.json()
    assert (result["score"], result["passed"]) == (100, True)
    assert [r["correct"] for r in result["review"]] == [True] * len(answers)
    certificate = Certificate.objects.get(membership=learner)
    assert [c["serial"] for c in client.get("/api/v1/certificates/").json()["results"]] == [
        certificate.serial
    ]
    again = client.post(
        f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": answers}, format="json"
    )
    assert (again.status_code, again.json()["detail"]) == (
        400,
        "This attempt has already been submitted.",
    )
    pdf = client.get(f"/api/v1/certificates/{certificate.serial}/pdf/", HTTP_ACCEPT="*/*")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")


def test_api_submit_refuses_bad_answers_with_field_errors(school):
    learner = MembershipFactory(school=school)
    client = client_for(learner.user)
    response = client.post(
        "/api/v1/attempts/1/submit/",
        {"answers": [{"question": "x", "choices": []}]},
        format="json",
    )
    assert response.status_code == 404  # not your attempt, whatever the body
    from courses.models import Attempt
    from tests.factories import EnrolmentFactory

    enrolment = EnrolmentFactory(membership=learner)
    attempt = Attempt.objects.create(
        enrolment=enrolment, number=1, served=[], started_at=enrolment.started_at
    )
    response = client.post(
        f"/api/v1/attempts/{attempt.pk}/submit/",
        {"answers": [{"question": "x", "choices": []}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "answers.0.question": ["A valid integer is required."],
        "answers.0.choices": ["This list may not be empty."],
    }


def test_api_enrol_needs_a_published_course_and_your_school(school, other_school, induction):
    learner = MembershipFactory(school=school)
    client = client_for(learner.user)
    # As on the course's page: no such course is a 404, a school not yours a refusal.
    response = client.post("/api/v1/enrolments/", {"course": "nope"})
    assert (response.status_code, response.json()) == (
        404,
        {"detail": "No such course.", "code": "not_found"},
    )
    response = client.post(
        "/api/v1/enrolments/", {"course": "safeguarding-induction", "school": "hillside"}
    )
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "You are not a member of this school.", "code": "refused"},
    )


# Tokens: tests/api/test_tokens.py.


# -- schema and docs -------------------------------------------------------------------------


def test_api_schema_is_openapi_3(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/schools/{school_slug}/staff/import/" in schema["paths"]


def test_api_docs_work_offline_under_the_csp(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert sources == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
        "/api/v1/docs/?script=",
    ]
    assert re.findall(r"<script>|<style", html) == []
    assert "script-src 'self'" in response["Content-Security-Policy"]
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    from django.contrib.staticfiles import finders

    for source in sources[:2]:
        assert finders.find(source.removeprefix("/static/")) is not None


# -- query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 20])
def test_api_staff_list_query_count(school, admin, count, django_assert_num_queries):
    MembershipFactory.create_batch(count, school=school)
    client = client_for(admin.user)
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/schools/{school.slug}/staff/")
    assert response.json()["count"] == count + 1


@pytest.mark.parametrize("count", [1, 20])
def test_api_certificate_list_query_count(school, admin, count, django_assert_num_queries):
    CertificateFactory.create_batch(count, enrolment__membership__school=school)
    client = client_for(admin.user)
    with django_assert_num_queries(2):
        response = client.get("/api/v1/certificates/")
    assert response.json()["count"] == count


@pytest.mark.parametrize("count", [1, 200])
def test_api_compliance_query_count(school, admin, count, django_assert_num_queries):
    RequirementFactory(name="Annual update")
    MembershipFactory.create_batch(count, school=school)
    client = client_for(admin.user)
    with django_assert_num_queries(6):
        response = client.get(f"/api/v1/schools/{school.slug}/compliance/")
    body = response.json()
    assert body["count"] == count + 1
    assert {row["status"] for row in body["results"]} == {"not_started"}


@pytest.mark.parametrize("count", [1, 200])
def test_api_one_persons_compliance_query_count(school, admin, count, django_assert_num_queries):
    """The person's view through the API: the same queries however big their school."""
    RequirementFactory(name="Annual update")
    person, *_ = MembershipFactory.create_batch(count, school=school)
    client = client_for(admin.user)
    with django_assert_num_queries(6):
        response = client.get(f"/api/v1/schools/{school.slug}/compliance/?membership={person.pk}")
    body = response.json()
    assert body["count"] == 1
    assert [(row["membership"], row["status"]) for row in body["results"]] == [
        (person.pk, "not_started")
    ]


@pytest.mark.parametrize("count", [1, 20])
def test_api_school_list_query_count(trust, count, django_assert_num_queries):
    from tests.factories import SchoolFactory

    SchoolFactory.create_batch(count, trust=trust)
    trust_admin = TrustRoleFactory(trust=trust, user=UserFactory()).user
    with django_assert_num_queries(2):
        response = client_for(trust_admin).get("/api/v1/schools/")
    assert response.json()["count"] == count
