"""One rule, one answer: a page and the API operation that does the same thing give the
same verdict for the same person and object — a 404 for another school's object (or one
the person may not know exists), a 403 for an object they may see but not act on, and
"allowed" alike. Built on the route-walking isolation test: every school-scoped route and
API operation it covers is either paired here or named as having no counterpart."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.urls import reverse

from cpd.models import Membership
from tests.factories import CertificateFactory, MembershipFactory
from tests.security.test_isolation import ROLES, api_operations, html_routes, world  # noqa: F401


def verdict(response) -> int | str:
    status = response.status_code
    assert status < 500, status
    return status if status in (403, 404) else "allowed"


def send(client, method, url, body):
    if method == "get":
        return client.get(url)
    if url.startswith("/api/"):
        return client.post(url, body, content_type="application/json")
    return client.post(url, body)


def pairs(school_slug, member, certificate):
    """(page route, kwargs, method, form body) ↔ (API path, method, JSON body)."""
    serial = certificate.serial
    return [
        (("cpd:compliance", {"slug": school_slug}, "get", {}),
         (f"/api/v1/schools/{school_slug}/compliance/", "get", {})),
        (("cpd:staff", {"slug": school_slug}, "get", {}),
         (f"/api/v1/schools/{school_slug}/staff/", "get", {})),
        (("cpd:staff_leave", {"slug": school_slug, "pk": member.pk}, "post",
          {"left_on": "2020-01-01"}),
         (f"/api/v1/schools/{school_slug}/staff/{member.pk}/leave/", "post",
          {"left_on": "2020-01-01"})),
        (("cpd:staff_import", {"slug": school_slug}, "post", {}),
         (f"/api/v1/schools/{school_slug}/staff/import/", "post", {})),
        (("cpd:requirements", {"slug": school_slug}, "get", {}),
         (f"/api/v1/schools/{school_slug}/requirements/", "get", {})),
        (("certificates:detail", {"serial": serial}, "get", {}),
         (f"/api/v1/certificates/{serial}/", "get", {})),
        (("certificates:pdf", {"serial": serial}, "get", {}),
         (f"/api/v1/certificates/{serial}/pdf/", "get", {})),
        (("certificates:revoke", {"serial": serial}, "post", {"reason": "Issued in error"}),
         (f"/api/v1/certificates/{serial}/revoke/", "post", {"reason": "Issued in error"})),
    ]  # fmt: skip


# School-scoped API operations with no page doing the same thing, and why.
API_ONLY = {
    ("/api/v1/schools/{slug}/", "get"): "a school's summary: pages show it in each header",
    ("/api/v1/schools/{school_slug}/staff/{id}/", "get"): "one person: the staff page lists",
    ("/api/v1/enrolments/{id}/", "get"): "learner's own; the course page is by course",
    ("/api/v1/enrolments/{id}/attempts/", "post"): "learner's own (tests/courses)",
    ("/api/v1/enrolments/{id}/lessons/", "post"): "learner's own (tests/courses)",
    ("/api/v1/attempts/{id}/", "get"): "learner's own (tests/courses)",
    ("/api/v1/attempts/{id}/submit/", "post"): "learner's own (tests/courses)",
    ("/api/v1/token/{id}/", "delete"): "holder's own (tests/api/test_tokens.py)",
}


@pytest.mark.django_db
def test_every_school_scoped_operation_is_paired_or_named(world):  # noqa: F811
    other_ops, _lists = api_operations(world)
    templates = pairs(
        "{school_slug}", SimpleNamespace(pk="{id}"), SimpleNamespace(serial="{serial}")
    )
    normalised = {(path, method) for _page, (path, method, _body) in templates}
    unpaired = set(other_ops) - normalised - set(API_ONLY)
    assert unpaired == set()
    assert set(API_ONLY) <= set(other_ops)
    # Every page in the pairs is a route the isolation test walks.
    routes = html_routes(world)
    assert {page[0] for page, _api in pairs("x", world.b_member, world.b_certificate)} <= set(
        routes
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_page_and_api_answer_alike(client, world, role):  # noqa: F811
    user = world.users[role]
    a_school = (
        Membership.objects.filter(user=user).first().school
        if role != "trust_admin"
        else world.users["staff"].cpd_memberships.get().school
    )
    colleague = MembershipFactory(school=a_school, started_on=date(2020, 1, 1))
    own = CertificateFactory(enrolment__membership=world.users["staff"].cpd_memberships.get())
    cases = {
        "another school's": pairs(world.b_school.slug, world.b_member, world.b_certificate),
        "own school's": pairs(a_school.slug, colleague, own),
    }
    verdicts = {}
    for whose, table in cases.items():
        for (name, kwargs, page_method, form), (path, api_method, body) in table:
            client.force_login(user)
            page = verdict(send(client, page_method, reverse(name, kwargs=kwargs), form))
            api = verdict(send(client, api_method, path, body))
            assert page == api, (role, whose, name, page, api)
            verdicts[(whose, name)] = page
    # Another school's objects are unseen by everyone; the verdicts at home follow the role.
    assert {v for (whose, _n), v in verdicts.items() if whose == "another school's"} == {404}
    home = {n: v for (whose, n), v in verdicts.items() if whose == "own school's"}
    expected = EXPECTED[role]
    assert home == expected


ALLOWED = "allowed"
EXPECTED = {
    "staff": {
        "cpd:compliance": 403, "cpd:staff": ALLOWED, "cpd:staff_leave": 403,
        "cpd:staff_import": 403, "cpd:requirements": ALLOWED,
        # the holder sees their own certificate but may not revoke it
        "certificates:detail": ALLOWED, "certificates:pdf": ALLOWED, "certificates:revoke": 403,
    },
    "dsl": {
        "cpd:compliance": ALLOWED, "cpd:staff": ALLOWED, "cpd:staff_leave": 403,
        "cpd:staff_import": 403, "cpd:requirements": ALLOWED,
        "certificates:detail": ALLOWED, "certificates:pdf": ALLOWED,
        "certificates:revoke": ALLOWED,
    },
    "school_admin": {
        "cpd:compliance": ALLOWED, "cpd:staff": ALLOWED, "cpd:staff_leave": ALLOWED,
        "cpd:staff_import": ALLOWED, "cpd:requirements": ALLOWED,
        "certificates:detail": ALLOWED, "certificates:pdf": ALLOWED,
        "certificates:revoke": ALLOWED,
    },
    "trust_admin": {
        "cpd:compliance": ALLOWED, "cpd:staff": ALLOWED, "cpd:staff_leave": ALLOWED,
        "cpd:staff_import": ALLOWED, "cpd:requirements": ALLOWED,
        "certificates:detail": ALLOWED, "certificates:pdf": ALLOWED,
        "certificates:revoke": ALLOWED,
    },
}  # fmt: skip
