"""No 500 anywhere: every route and API operation (the isolation test's tables, which the
URL resolver and the OpenAPI schema keep complete) requested with malformed values in its
path and in its query string, as someone signed out, a member of staff and a DSL. The
staff member and the DSL also belong to the school whose objects the routes address, so
the malformed values reach the views' own parsing, not only a 404 for another school.

Prints how many requests it made and the statuses they got."""

from collections import Counter
from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse

from certificates.models import Export
from cpd.models import Membership
from tests.factories import MembershipFactory
from tests.security import test_isolation
from tests.security.test_isolation import (
    api_operations,
    html_routes,
    route_names,
    schema_operations,
)

world = test_isolation.world  # the isolation test's two schools, as a fixture here too

#: Raw values, each put (URL-quoted) in place of every path parameter, and as every
#: query parameter a page or endpoint reads.
VALUES = {
    "slash": "a/b",
    "nul": "\x00",
    "traversal": "../../etc/passwd",
    "long": "x" * 2000,
    "huge number": "99999999999999999999",
    "negative": "-1",
    "unicode": "é😀\u202e",
    "script": "<script>alert(1)</script>",
    "not a uuid": "not-a-uuid",
    "quote": "' OR 1=1 --",
}
QUERY_NAMES = ("page", "page_size", "show", "code", "status", "sort", "q", "course",
               "category", "role", "school", "mine", "current", "email", "staff_category",
               "trust", "action", "person", "since", "until", "on", "format")  # fmt: skip
ROLES = ("anonymous", "staff", "dsl")


def _sentinel(value, index: int):
    """A value the route's converter accepts, unlikely to appear elsewhere in its URL."""
    if isinstance(value, int):
        return 7_319_000 + index
    if isinstance(value, str):
        return f"zq{index}sentinel"
    return value  # a UUID: replaced by its text


def html_urls(w) -> list[tuple[str, str, str, str]]:
    """(route, method, URL with {0} where each path parameter goes, the route's own URL)."""
    found = []
    for name, rule in html_routes(w).items():
        _kind, method, kwargs = rule[:3]
        sentinels = {key: _sentinel(value, i) for i, (key, value) in enumerate(kwargs.items())}
        url = reverse(name, kwargs=sentinels).replace("{", "{{").replace("}", "}}")
        for value in sentinels.values():
            url = url.replace(str(value), "{0}")
        found.append((name, method, url, reverse(name, kwargs=kwargs)))
    return found


def api_urls(w) -> list[tuple[str, str, str, str]]:
    other, lists = api_operations(w)
    shared = {"slug": w.course.slug, "code": w.b_certificate.verification_code}
    return [
        (
            f"{method.upper()} {path}",
            method,
            _template(path),
            path.format(**other.get((path, method), shared)),
        )
        for path, method in [*other, *lists]
    ]


def _template(path: str) -> str:
    out, depth = [], 0
    for char in path:
        if char == "{":
            depth += 1
            out.append("{0}")
        elif char == "}":
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)


def send(client, method: str, url: str):
    if method == "get":
        return client.get(url)
    if method == "delete":
        return client.delete(url)
    if "/api/" in url:
        return client.post(url, {}, content_type="application/json")
    return client.post(url, {})


@pytest.mark.django_db
def test_no_route_answers_a_malformed_value_with_a_server_error(client, world, capsys):
    routes = html_routes(world)
    assert route_names() - set(routes) == set()
    other, lists = api_operations(world)
    assert schema_operations() - set(other) - set(lists) == set()
    # Staff and a DSL of the school the routes address, as well as of their own.
    MembershipFactory(user=world.users["staff"], school=world.b_school)
    MembershipFactory(user=world.users["dsl"], school=world.b_school, role=Membership.Role.DSL)

    targets = html_urls(world) + api_urls(world)
    statuses, failures, requests = Counter(), [], 0
    for role in ROLES:
        for name, method, template, own_url in targets:
            for label, raw in VALUES.items():
                urls = [template.format(quote(raw, safe="")), template.format(raw)]
                if method == "get":
                    query = urlencode(dict.fromkeys(QUERY_NAMES, raw))
                    urls.append(own_url + "?" + query)
                for url in dict.fromkeys(urls):
                    if role == "anonymous":
                        client.logout()
                    else:
                        client.force_login(world.users[role])  # "logout" is a route
                    try:
                        response = send(client, method, url)
                    except Exception as exc:  # noqa: BLE001 - a raised error is a 500
                        failures.append((role, name, label, url[:120], repr(exc)[:200]))
                        statuses["raised"] += 1
                        continue
                    finally:
                        requests += 1
                    statuses[response.status_code] += 1
                    if response.status_code >= 500:
                        failures.append((role, name, label, url[:120], response.status_code))

    with capsys.disabled():
        print(
            f"\nmalformed crawl: {len(targets)} routes and operations x {len(VALUES)} values "
            f"x {len(ROLES)} roles ({', '.join(ROLES)}) = {requests} requests; statuses: "
            + ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items(), key=str))
        )
    assert failures == [], "\n".join(map(str, failures))
    assert statuses["raised"] == 0
    assert sum(count for status, count in statuses.items() if str(status).startswith("5")) == 0


@pytest.mark.django_db
def test_evidence_pack_page_lists_a_pack_whose_requester_is_gone(sign_in, dsl):
    """Once a 500: the pack's ``requested_by`` is null when the account was deleted."""
    Export.objects.create(school=dsl.school, requested_by=None, status=Export.Status.READY)
    response = sign_in(dsl).get(f"/schools/{dsl.school.slug}/evidence/")
    assert response.status_code == 200
    assert "<td>–</td>" in response.content.decode()
