"""The staff import in two steps through the API: a dry run that keeps the file and gives a
token and fingerprint, then applying that token, refused with a 409 when the staff changed
in between. The same functions as the page (``cpd.people.imports.pending``)."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from cpd.models import AuditEvent, Membership
from tests.factories import MembershipFactory, SchoolFactory, TrustRoleFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

CSV = (
    b"Email,First name,Last name,Role,Staff category,Job title,Start date\n"
    b"amy.patel@oakwood.test,Amy,Patel,staff,teaching,Class teacher,2024-09-01\n"
)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(school, query: str = "") -> str:
    return f"/api/v1/schools/{school.slug}/staff/import/{query}"


def dry_run(client, school, content: bytes = CSV):
    file = SimpleUploadedFile("staff.csv", content, content_type="text/csv")
    return client.post(url(school, "?dry_run=1"), {"file": file}, format="multipart")


def kept(school, token) -> bool:
    return default_storage.exists(f"staff-imports/{school.pk}/{token}")


def people(school) -> list[str]:
    return list(
        Membership.objects.for_school(school)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


def test_api_dry_run_then_apply_with_token_and_fingerprint(
    school, admin, django_capture_on_commit_callbacks
):
    client = client_for(admin.user)
    preview = dry_run(client, school).json()
    assert (preview["applied"], preview["counts"]["adds"]) == (False, 1)
    assert len(preview["fingerprint"]) == 64
    assert kept(school, preview["token"])
    assert people(school) == ["head@oakwood.test"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(school),
            {"token": preview["token"], "fingerprint": preview["fingerprint"]},
            format="multipart",
        )
    assert response.status_code == 200
    body = response.json()
    assert (body["applied"], body["token"], body["fingerprint"], body["counts"]["adds"]) == (
        True,
        preview["token"],
        preview["fingerprint"],
        1,
    )
    assert people(school) == ["amy.patel@oakwood.test", "head@oakwood.test"]
    assert not kept(school, preview["token"])
    again = client.post(
        url(school),
        {"token": preview["token"], "fingerprint": preview["fingerprint"]},
        format="multipart",
    )
    assert (again.status_code, again.json()["code"]) == (404, "import_not_found")


def test_api_apply_refuses_a_stale_fingerprint_with_409_and_changes_nothing(school, admin):
    client = client_for(admin.user)
    preview = dry_run(client, school).json()
    MembershipFactory(school=school, user__email="amy.patel@oakwood.test", job_title="TA")
    events = AuditEvent.objects.count()
    response = client.post(
        url(school),
        {"token": preview["token"], "fingerprint": preview["fingerprint"]},
        format="multipart",
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": "The school's staff list changed after the file was checked. Check the "
        "changes again before importing them.",
        "code": "stale_preview",
    }
    assert Membership.objects.get(user__email="amy.patel@oakwood.test").job_title == "TA"
    assert AuditEvent.objects.count() == events
    assert kept(school, preview["token"])

    # A dry run of the token shows the plan as it is now, and its fingerprint applies.
    fresh = client.post(
        url(school, "?dry_run=1"), {"token": preview["token"]}, format="multipart"
    ).json()
    assert (fresh["applied"], fresh["counts"]["adds"], fresh["counts"]["updates"]) == (
        False,
        0,
        1,
    )
    assert fresh["fingerprint"] != preview["fingerprint"]
    applied = client.post(
        url(school),
        {"token": preview["token"], "fingerprint": fresh["fingerprint"]},
        format="multipart",
    )
    assert applied.status_code == 200
    assert Membership.objects.get(user__email="amy.patel@oakwood.test").job_title == (
        "Class teacher"
    )


def test_api_another_schools_token_is_not_found(school, trust, admin):
    sister = SchoolFactory(trust=trust, slug="sister")
    trust_admin = TrustRoleFactory(trust=trust, user=UserFactory()).user
    preview = dry_run(client_for(trust_admin), school).json()
    body = {"token": preview["token"], "fingerprint": preview["fingerprint"]}
    for client, at in [(client_for(trust_admin), sister), (client_for(admin.user), school)]:
        response = client.post(url(at), body, format="multipart")
        assert (response.status_code, response.json()["code"]) == (404, "import_not_found")
        look = client.post(url(at, "?dry_run=1"), {"token": preview["token"]}, format="multipart")
        assert look.status_code == 404
    assert people(school) == ["head@oakwood.test"]
    assert people(sister) == []
    assert kept(school, preview["token"])


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (
            {"token": "3f2a6c1e-8a47-4f3e-9b4c-2d1e0f9a8b7c"},
            {"fingerprint": ["Send the fingerprint of the dry run with its token."]},
        ),
        ({"token": "not-a-uuid", "fingerprint": "x"}, {"token": ["Must be a valid UUID."]}),
        (
            {
                "token": "3f2a6c1e-8a47-4f3e-9b4c-2d1e0f9a8b7c",
                "fingerprint": "x",
                "file": SimpleUploadedFile("staff.csv", CSV, content_type="text/csv"),
            },
            {"token": ["Send a file or the token of a dry run, not both."]},
        ),
    ],
)
def test_api_import_body_names_the_wrong_field(school, admin, body, fields):
    response = client_for(admin.user).post(url(school), body, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"] == fields
