"""Every endpoint × every role × own school versus another school.

"Own" means the school the staff member, DSL and school admin belong to, in the trust
administered by the trust admin; "other" is a school none of them has anything to do
with. Another school's objects are always 404, never 403: their existence is not given
away."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "staff", "dsl", "school_admin", "trust_admin"]
CSV = (
    b"email,first name,last name,role,staff category,job title,start date\n"
    b"new.person@oakwood.test,New,Person,staff,teaching,TA,2026-01-05\n"
)


def _import_body():
    return {"file": SimpleUploadedFile("staff.csv", CSV, content_type="text/csv")}


# name: (method, url from the school's data, body, format, own-school status by role)
ENDPOINTS = {
    "school": ("get", "/api/v1/schools/{slug}/", None, [401, 200, 200, 200, 200]),
    "staff list": ("get", "/api/v1/schools/{slug}/staff/", None, [401, 200, 200, 200, 200]),
    "staff detail": (
        "get",
        "/api/v1/schools/{slug}/staff/{colleague}/",
        None,
        [401, 404, 200, 200, 200],
    ),
    "staff leave": (
        "post",
        "/api/v1/schools/{slug}/staff/{colleague}/leave/",
        lambda: {"left_on": "2026-07-31"},
        [401, 403, 403, 200, 200],
    ),
    "staff import dry run": (
        "post",
        "/api/v1/schools/{slug}/staff/import/?dry_run=1",
        _import_body,
        [401, 403, 403, 200, 200],
    ),
    "staff import": (
        "post",
        "/api/v1/schools/{slug}/staff/import/",
        _import_body,
        [401, 403, 403, 200, 200],
    ),
    "requirements": (
        "get",
        "/api/v1/schools/{slug}/requirements/",
        None,
        [401, 200, 200, 200, 200],
    ),
    "compliance": ("get", "/api/v1/schools/{slug}/compliance/", None, [401, 403, 200, 200, 200]),
    "certificate": (
        "get",
        "/api/v1/certificates/{serial}/",
        None,
        [401, 404, 200, 200, 200],
    ),
    "certificate pdf": (
        "get",
        "/api/v1/certificates/{serial}/pdf/",
        None,
        [401, 404, 200, 200, 200],
    ),
    # A colleague's certificate, which staff cannot see (the holder's own 403 is tested in
    # test_certificate_revoke.py).
    "certificate revoke": (
        "post",
        "/api/v1/certificates/{serial}/revoke/",
        lambda: {"reason": "Issued to the wrong person"},
        [401, 404, 200, 200, 200],
    ),
    "enrolment": ("get", "/api/v1/enrolments/{enrolment}/", None, [401, 404, 404, 404, 404]),
    "attempt": ("get", "/api/v1/attempts/{attempt}/", None, [401, 404, 404, 404, 404]),
    "attempt submit": (
        "post",
        "/api/v1/attempts/{attempt}/submit/",
        lambda: {"answers": [{"question": 1, "choices": [1]}]},
        [401, 404, 404, 404, 404],
    ),
    "lesson done": (
        "post",
        "/api/v1/enrolments/{enrolment}/lessons/",
        lambda: {"lesson": "any"},
        [401, 404, 404, 404, 404],
    ),
}

CASES = [
    pytest.param(name, role, where, id=f"{name}-{role}-{where}")
    for name in ENDPOINTS
    for role in ROLES
    for where in ("own", "other")
]


@pytest.mark.parametrize(("endpoint", "role", "where"), CASES)
def test_endpoint_permissions(api_as, own, other, endpoint, role, where):
    method, url, body, own_statuses = ENDPOINTS[endpoint]
    data = own if where == "own" else other
    url = url.format(
        slug=data.school.slug,
        colleague=data.colleague.pk,
        serial=data.certificate.serial,
        enrolment=data.enrolment.pk,
        attempt=data.attempt.pk,
    )
    client = api_as(role)
    kwargs = {}
    if body is not None:
        kwargs = {"data": body(), "format": "multipart" if body is _import_body else "json"}
    response = getattr(client, method)(url, **kwargs)
    expected = (
        own_statuses[ROLES.index(role)] if where == "own" else (401 if role == "anonymous" else 404)
    )
    assert response.status_code == expected, response.content
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        if expected >= 400:
            assert set(body) >= {"detail", "code"}


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("staff", 200), ("dsl", 200), ("school_admin", 200), ("trust_admin", 200)],
)
def test_token_list_permissions(api_as, role, status):
    """Anyone signed in may list (and revoke) their own tokens."""
    assert api_as(role).get("/api/v1/token/").status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("staff", 403), ("dsl", 403), ("school_admin", 201), ("trust_admin", 201)],
)
def test_token_create_permissions(api_as, role, status):
    response = api_as(role).post("/api/v1/token/", {"name": "Integration"}, format="json")
    assert response.status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("staff", 200), ("dsl", 200), ("school_admin", 200), ("trust_admin", 200)],
)
def test_course_list_permissions(api_as, role, status):
    assert api_as(role).get("/api/v1/courses/").status_code == status


@pytest.mark.parametrize(
    ("role", "schools"),
    [
        ("staff", ["oakwood-primary"]),
        ("dsl", ["oakwood-primary"]),
        ("school_admin", ["oakwood-primary"]),
        ("trust_admin", ["oakwood-primary"]),
    ],
)
def test_school_list_shows_only_visible_schools(api_as, own, other, role, schools):
    response = api_as(role).get("/api/v1/schools/")
    assert [s["slug"] for s in response.json()["results"]] == schools


@pytest.mark.parametrize(
    ("role", "emails"),
    [
        ("staff", ["staff@oakwood.test"]),
        (
            "dsl",
            [
                "colleague@oakwood.test",
                "dsl@oakwood.test",
                "head@oakwood.test",
                "staff@oakwood.test",
            ],
        ),
        (
            "trust_admin",
            [
                "colleague@oakwood.test",
                "dsl@oakwood.test",
                "head@oakwood.test",
                "staff@oakwood.test",
            ],
        ),
    ],
)
def test_staff_list_shows_staff_only_themselves(api_as, own, other, role, emails):
    response = api_as(role).get("/api/v1/schools/oakwood-primary/staff/")
    assert sorted(m["email"] for m in response.json()["results"]) == emails


@pytest.mark.parametrize(
    ("role", "visible"),
    [("staff", []), ("dsl", ["own"]), ("school_admin", ["own"]), ("trust_admin", ["own"])],
)
def test_certificate_list_never_leaks_another_school(api_as, own, other, role, visible):
    response = api_as(role).get("/api/v1/certificates/")
    expected = [own.certificate.serial] if visible else []
    assert [c["serial"] for c in response.json()["results"]] == expected


def test_enrolment_and_attempt_lists_are_only_your_own(api_as, people, own, other):
    from courses.models import Attempt
    from tests.factories import EnrolmentFactory

    mine = EnrolmentFactory(membership=people["staff"].cpd_memberships.get())
    attempt = Attempt.objects.create(
        enrolment=mine, number=1, served=[], started_at=mine.started_at
    )
    client = api_as("staff")
    assert [e["id"] for e in client.get("/api/v1/enrolments/").json()["results"]] == [mine.pk]
    assert [a["id"] for a in client.get("/api/v1/attempts/").json()["results"]] == [attempt.pk]
    assert client.get("/api/v1/enrolments/", {"status": "completed"}).json()["results"] == []
    # The DSL sees no one else's learning through these endpoints.
    assert api_as("dsl").get("/api/v1/enrolments/").json()["results"] == []
