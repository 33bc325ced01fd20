"""Tenant isolation, proven over every route.

The test walks the URL resolver and the OpenAPI schema. Every route and every API
operation must appear in the tables below, or the test fails — so a new page or endpoint
cannot ship without saying how it is scoped. Then, as staff, DSL, school admin and trust
admin of one school (in one trust), it asks for the other school's objects (in another
trust) and expects a 404. Routes that address no school object say why, and are still
requested: they must not fail, and must not show the other school's people.
"""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from certificates.models import Export
from courses.models import Attempt, Lesson
from cpd.arrangements.services import arrangements_update, policy_publish
from cpd.models import ApiToken, Bulletin, ExternalRecord
from tests.factories import (
    ApiTokenFactory,
    CertificateFactory,
    CourseVersionFactory,
    EnrolmentFactory,
    LessonFactory,
    MembershipFactory,
    ModuleFactory,
    RequirementFactory,
    SchoolFactory,
    TrustFactory,
    TrustRoleFactory,
)

ROLES = ("staff", "dsl", "school_admin", "trust_admin")


@dataclass
class World:
    """School A (ours, in trust A) and school B (theirs, in trust B), with one of
    everything in B."""

    users: dict
    b_school: object
    b_trust: object
    b_member: object
    b_certificate: object
    b_bulletin: object
    b_record: object
    b_enrolment: object
    b_attempt: object
    b_export: object
    course: object
    lesson: object
    b_lead: object = None
    b_policy: object = None


@pytest.fixture
def world(db):
    a_trust, b_trust = TrustFactory(), TrustFactory()
    a_school = SchoolFactory(trust=a_trust)
    b_school = SchoolFactory(trust=b_trust, slug="theirs")
    version = CourseVersionFactory(course__slug="shared-course")
    lesson = LessonFactory(module=ModuleFactory(version=version), kind=Lesson.Kind.CONTENT)
    RequirementFactory(course=version.course)
    users = {
        role: MembershipFactory(school=a_school, role=role).user
        for role in ("staff", "dsl", "school_admin")
    }
    users["trust_admin"] = TrustRoleFactory(trust=a_trust).user
    b_member = MembershipFactory(
        school=b_school, user__email="their.person@theirs.test", started_on=date(2020, 1, 1)
    )
    enrolment = EnrolmentFactory(membership=b_member, course_version=version)
    attempt = Attempt.objects.create(
        enrolment=enrolment, number=1, served=[], started_at=timezone.now()
    )
    certificate = CertificateFactory(
        enrolment__membership=b_member, holder_name="Their Person", serial="CPD-2026-999999"
    )
    record = ExternalRecord.objects.create(
        membership=b_member, title="Elsewhere", provider="P", completed_on=date(2026, 1, 1),
        evidence=ContentFile(b"%PDF-1.4 x", name="x.pdf"),
    )  # fmt: skip
    bulletin = Bulletin.objects.create(school=b_school, title="Theirs", body="b")
    ApiTokenFactory(user=b_member.user, name="Their HR system")
    export = Export.objects.create(
        school=b_school, status=Export.Status.READY, expires_at=timezone.now() + timedelta(days=1)
    )
    # Their DSL and their arrangements carry the name no page of ours may show.
    b_lead = MembershipFactory(
        school=b_school, role="dsl", user__first_name="Their", user__last_name="Person"
    )
    arrangements_update(actor=None, school=b_school, lado_contact="Their Person (LADO)")
    b_policy = policy_publish(
        actor=None, school=b_school, kind="child_protection", title="Their Person's policy",
        version="1", effective_on=date(2020, 1, 1), pdf=b"%PDF-1.4 theirs",
    )  # fmt: skip
    return World(
        users, b_school, b_trust, b_member, certificate, bulletin, record, enrolment, attempt,
        export, version.course, lesson, b_lead, b_policy,
    )  # fmt: skip


# How each route is scoped. ("other", method, kwargs) must answer 404 for every role;
# ("own" | "public", method, kwargs, why) addresses nothing of another school.
def html_routes(w: World) -> dict:
    b, m = w.b_school.slug, w.b_member.pk
    cert = w.b_certificate.serial
    return {
        "cpd:compliance": ("other", "get", {"slug": b}),
        "cpd:compliance_download": ("other", "get", {"slug": b, "fmt": "csv"}),
        "cpd:person": ("other", "get", {"slug": b, "pk": m}),
        "cpd:nudge": ("other", "post", {"slug": b, "pk": m}),
        "cpd:remind_overdue": ("other", "post", {"slug": b}),
        "cpd:person_export": ("other", "post", {"slug": b, "pk": m}),
        "cpd:knowledge_gaps": ("other", "get", {"slug": b}),
        "cpd:trust": ("other", "get", {"slug": w.b_trust.slug}),
        "cpd:audit": ("other", "get", {"slug": b}),
        "cpd:requirements": ("other", "get", {"slug": b}),
        "cpd:requirement_edit": ("other", "post", {"slug": b, "course_id": w.course.pk}),
        "cpd:requirement_reset": ("other", "post", {"slug": b, "course_id": w.course.pk}),
        "cpd:bulletins": ("other", "get", {"slug": b}),
        "cpd:bulletin_readership": ("other", "get", {"slug": b, "pk": w.b_bulletin.pk}),
        "cpd:bulletin": ("other", "get", {"pk": w.b_bulletin.pk}),
        "cpd:bulletin_confirm": ("other", "post", {"pk": w.b_bulletin.pk}),
        "cpd:evidence": ("other", "get", {"pk": w.b_record.pk}),
        "cpd:school_records": ("other", "get", {"slug": b}),
        "cpd:decide_record": ("other", "post", {"slug": b, "pk": w.b_record.pk}),
        "cpd:staff": ("other", "get", {"slug": b}),
        "cpd:staff_import": ("other", "get", {"slug": b}),
        "cpd:staff_import_preview": ("other", "get", {"slug": b, "token": uuid.uuid4()}),
        "cpd:staff_leave": ("other", "post", {"slug": b, "pk": m}),
        "cpd:invitation_answer": ("other", "post", {"pk": m}),
        "cpd:staff_restore": ("other", "post", {"slug": b, "pk": m}),
        "certificates:detail": ("other", "get", {"serial": cert}),
        "certificates:pdf": ("other", "get", {"serial": cert}),
        "certificates:revoke": ("other", "post", {"serial": cert}),
        "certificates:reissue": ("other", "post", {"serial": cert}),
        "cpd:evidence_pack": ("other", "get", {"slug": b}),
        "cpd:evidence_pack_status": ("other", "get", {"slug": b, "pk": w.b_export.pk}),
        "cpd:evidence_pack_download": ("other", "get", {"slug": b, "pk": w.b_export.pk}),
        "cpd:worried_poster": ("other", "get", {"slug": b}),
        "cpd:worried_card": ("other", "get", {"slug": b}),
        "cpd:arrangements": ("other", "get", {"slug": b}),
        "cpd:arrangements_lead": ("other", "post", {"slug": b, "pk": w.b_lead.pk}),
        "cpd:arrangements_lead_photo": ("other", "get", {"slug": b, "pk": w.b_lead.pk}),
        "cpd:school_policies": ("other", "get", {"slug": b}),
        "cpd:policy": ("other", "get", {"pk": w.b_policy.pk}),
        "cpd:policy_confirm": ("other", "post", {"pk": w.b_policy.pk}),
        "cpd:policy_file": ("other", "get", {"pk": w.b_policy.pk}),
        "cpd:trust_arrangements": ("other", "get", {"slug": w.b_trust.slug}),
        "cpd:worried": ("own", "get", {}, "the caller's schools' arrangements"),
        "cpd:my_policies": ("own", "get", {}, "the caller's schools' policies"),
        "courses:attempt": ("other", "get", {"slug": w.course.slug, "number": 1}),
        "courses:attempt_result": ("other", "get", {"slug": w.course.slug, "number": 1}),
        # Courses are shared by every school; a learner reaches only their own enrolment.
        "courses:course": ("own", "get", {"slug": w.course.slug}, "shared course"),
        "courses:enrol": ("own", "post", {"slug": w.course.slug}, "enrols the caller"),
        "courses:restart": ("own", "post", {"slug": w.course.slug}, "caller's enrolment"),
        "courses:lesson": (
            "own",
            "get",
            {"slug": w.course.slug, "lesson": w.lesson.slug},
            "caller's enrolment",
        ),  # fmt: skip
        "courses:assessment_start": ("own", "post", {"slug": w.course.slug}, "caller's"),
        # Content reviewers only (403 to school roles); figures from their own trust's
        # attempts (tests/courses/test_item_statistics.py).
        "courses:statistics_courses": ("own", "get", {}, "reviewer's trust only"),
        "courses:statistics": ("own", "get", {"slug": w.course.slug}, "reviewer's trust only"),
        "cpd:my_training": ("own", "get", {}, "the caller's training"),
        "cpd:schools": ("own", "get", {}, "the schools the caller leads"),
        "courses:what_to_do": ("own", "get", {"slug": w.course.slug}, "shared course"),
        "cpd:my_records": ("own", "get", {}, "the caller's records"),
        "cpd:api_token": ("own", "get", {}, "the caller's token"),
        "cpd:invitations": ("own", "get", {}, "the caller's invitations"),
        "certificates:list": ("own", "get", {}, "the caller's certificates"),
        "cpd:home": ("public", "get", {}, "landing page"),
        # Accounts (django-allauth): the caller's own sign-in, password, email addresses,
        # two-factor and single sign-on; nothing of a school's.
        "account_login": ("public", "get", {}, "sign-in"),
        "account_logout": ("public", "post", {}, "sign-out"),
        "account_inactive": ("public", "get", {}, "static page"),
        "account_signup": ("public", "get", {}, "closed: schools add people"),
        "account_reauthenticate": ("own", "get", {}, "the caller's password"),
        "account_request_reauthentication_code": ("own", "get", {}, "the caller's"),
        "account_confirm_reauthentication_code": ("own", "get", {}, "the caller's"),
        "account_email": ("own", "get", {}, "the caller's addresses"),
        "account_email_verification_sent": ("public", "get", {}, "static page"),
        "account_change_password": ("own", "get", {}, "the caller's password"),
        "account_set_password": ("own", "get", {}, "the caller's password"),
        "account_reset_password": ("public", "get", {}, "by email address only"),
        "account_confirm_login_code": ("public", "get", {}, "off: no codes"),
        "account_confirm_email": ("public", "get", {"key": "bad-key"}, "key-checked"),
        "account_reset_password_from_key_done": ("public", "get", {}, "static page"),
        "account_reset_password_from_key": (
            "public",
            "get",
            {"uidb36": "1", "key": "bad-token"},
            "token-checked",
        ),  # fmt: skip
        "account_reset_password_done": ("public", "get", {}, "static page"),
        "mfa_index": ("own", "get", {}, "the caller's two-factor"),
        "mfa_authenticate": ("public", "get", {}, "a sign-in in progress"),
        "mfa_reauthenticate": ("own", "get", {}, "the caller's two-factor"),
        "mfa_activate_totp": ("own", "get", {}, "the caller's two-factor"),
        "mfa_deactivate_totp": ("own", "get", {}, "the caller's two-factor"),
        "mfa_view_recovery_codes": ("own", "get", {}, "the caller's two-factor"),
        "mfa_generate_recovery_codes": ("own", "get", {}, "the caller's two-factor"),
        "mfa_download_recovery_codes": ("own", "get", {}, "the caller's two-factor"),
        "socialaccount_login_cancelled": ("public", "get", {}, "static page"),
        "socialaccount_login_error": ("public", "get", {}, "static page"),
        "socialaccount_signup": ("public", "get", {}, "a sign-in in progress"),
        "socialaccount_connections": ("own", "get", {}, "the caller's connections"),
        "microsoft_login": ("public", "get", {}, "to the provider"),
        "microsoft_callback": ("public", "get", {}, "state-checked"),
        "google_login": ("public", "get", {}, "to the provider"),
        "google_callback": ("public", "get", {}, "state-checked"),
        "google_login_by_token": ("public", "get", {}, "token-checked"),
        "openid_connect_login": ("public", "get", {"provider_id": "trust"}, "to the provider"),
        "openid_connect_callback": ("public", "get", {"provider_id": "trust"}, "state-checked"),
        "certificates:verify_lookup": ("public", "get", {}, "anyone may verify"),
        "certificates:verify": (
            "public",
            "get",
            {"code": w.b_certificate.verification_code},
            "anyone may verify",
        ),  # fmt: skip
        "health": ("public", "get", {}, "load balancer probe"),
        "health_ready": ("public", "get", {}, "load balancer readiness probe"),
        "api:schema": ("public", "get", {}, "API description"),
        "api:docs": ("public", "get", {}, "API description"),
        "api:token": ("own", "get", {}, "the caller's token"),
        "api:certificate-verify": (
            "public",
            "get",
            {"code": w.b_certificate.verification_code},
            "anyone may verify",
        ),  # fmt: skip
    }


def api_operations(w: World) -> dict:
    b = w.b_school.slug
    other = {
        ("/api/v1/schools/{slug}/", "get"): {"slug": b},
        ("/api/v1/schools/{school_slug}/compliance/", "get"): {"school_slug": b},
        ("/api/v1/schools/{school_slug}/requirements/", "get"): {"school_slug": b},
        ("/api/v1/schools/{school_slug}/staff/", "get"): {"school_slug": b},
        ("/api/v1/schools/{school_slug}/staff/{id}/", "get"): {
            "school_slug": b,
            "id": w.b_member.pk,
        },
        ("/api/v1/schools/{school_slug}/staff/{id}/leave/", "post"): {
            "school_slug": b,
            "id": w.b_member.pk,
        },  # fmt: skip
        ("/api/v1/schools/{school_slug}/staff/import/", "post"): {"school_slug": b},
        ("/api/v1/certificates/{serial}/", "get"): {"serial": w.b_certificate.serial},
        ("/api/v1/certificates/{serial}/pdf/", "get"): {"serial": w.b_certificate.serial},
        ("/api/v1/certificates/{serial}/revoke/", "post"): {"serial": w.b_certificate.serial},
        ("/api/v1/enrolments/{id}/", "get"): {"id": w.b_enrolment.pk},
        ("/api/v1/enrolments/{id}/attempts/", "post"): {"id": w.b_enrolment.pk},
        ("/api/v1/enrolments/{id}/lessons/", "post"): {"id": w.b_enrolment.pk},
        ("/api/v1/attempts/{id}/", "get"): {"id": w.b_attempt.pk},
        ("/api/v1/attempts/{id}/submit/", "post"): {"id": w.b_attempt.pk},
        ("/api/v1/token/{id}/", "delete"): {"id": ApiToken.objects.get(user=w.b_member.user).pk},
    }
    lists = {
        ("/api/v1/schools/", "get"): "lists only the caller's schools",
        ("/api/v1/certificates/", "get"): "lists only visible certificates",
        ("/api/v1/enrolments/", "get"): "the caller's enrolments",
        ("/api/v1/attempts/", "get"): "the caller's attempts",
        ("/api/v1/courses/", "get"): "courses are shared",
        ("/api/v1/courses/{slug}/", "get"): "courses are shared",
        ("/api/v1/enrolments/", "post"): "enrols the caller",
        ("/api/v1/token/", "get"): "the caller's tokens",
        ("/api/v1/token/", "post"): "the caller's tokens",
        ("/api/v1/verify/{code}/", "get"): "anyone may verify",
    }
    return other, lists


def walk(patterns, ns=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ns
            if pattern.namespace:
                inner = f"{ns}:{pattern.namespace}" if ns else pattern.namespace
            yield from walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{ns}:{pattern.name}" if ns and pattern.name else pattern.name


def route_names() -> set[str]:
    names = set(walk(get_resolver().url_patterns))
    # The Django admin is for superusers only (school roles are not staff users): covered
    # by test_admin_is_closed_to_school_roles. The API's operations are covered one by one
    # from the OpenAPI schema below; only its schema and docs pages are plain routes.
    return {
        n
        for n in names
        if n
        and not n.startswith("admin:")
        and (not n.startswith("api:") or n in {"api:schema", "api:docs"})
    }


def schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (path, method)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }


def request(client, method, url):
    if method == "get":
        return client.get(url)
    if method == "delete":
        return client.delete(url)
    if "/api/" in url:
        return client.post(url, {}, content_type="application/json")
    return client.post(url, {})


@pytest.mark.django_db
def test_every_route_and_operation_is_isolated(client, world, capsys):
    from django.urls import reverse

    routes = html_routes(world)
    missing = route_names() - set(routes)
    assert missing == set(), f"Routes with no isolation rule: {sorted(missing)}"
    other_ops, list_ops = api_operations(world)
    operations = schema_operations()
    uncovered = operations - set(other_ops) - set(list_ops)
    assert uncovered == set(), f"API operations with no isolation rule: {sorted(uncovered)}"

    checked = 0
    for role in ROLES:
        client.force_login(world.users[role])
        for name, rule in routes.items():
            kind, method, kwargs = rule[:3]
            url = reverse(name, kwargs=kwargs)
            client.force_login(world.users[role])  # again: "logout" is one of the routes
            response = request(client, method, url)
            assert response.status_code < 500, (role, name, response.status_code)
            if kind == "other":
                assert response.status_code == 404, (role, name, response.status_code)
            body = b"" if response.streaming else response.content
            assert b"their.person@theirs.test" not in body, (role, name)
            if kind != "public" or name not in {"certificates:verify", "api:certificate-verify"}:
                assert b"Their Person" not in body, (role, name)
            checked += 1
        client.force_login(world.users[role])
        for (path, method), params in other_ops.items():
            response = request(client, method, path.format(**params))
            assert response.status_code == 404, (role, path, method, response.status_code)
            assert response["Content-Type"].startswith("application/json"), (role, path)
            checked += 1
        for path, method in list_ops:
            params = {"slug": world.course.slug, "code": world.b_certificate.verification_code}
            response = request(client, method, path.format(**params))
            assert response.status_code < 500, (role, path, method)
            if "verify" not in path:
                assert b"theirs" not in response.content, (role, path)
                assert world.b_certificate.serial.encode() not in response.content, (role, path)
            checked += 1
        client.logout()
    with capsys.disabled():
        print(
            f"\nisolation: {len(routes)} routes and {len(operations)} API operations, "
            f"{checked} requests as {', '.join(ROLES)}"
        )


@pytest.mark.django_db
def test_admin_is_closed_to_school_roles(client, world):
    for role in ROLES:
        client.force_login(world.users[role])
        response = client.get("/admin/cpd/membership/")
        assert response.status_code == 302, role
        assert response["Location"].startswith("/admin/login/"), role


@pytest.mark.django_db
def test_every_html_response_carries_the_content_security_policy(client, world):
    client.force_login(world.users["dsl"])
    for url in ["/", "/training/", "/accounts/login/", "/verify/", "/certificates/",
                f"/schools/{world.b_school.slug}/compliance/"]:  # fmt: skip
        response = client.get(url, follow=True)
        assert response["Content-Type"].startswith("text/html"), url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, url
        assert "frame-ancestors 'none'" in policy, url
