"""Every hostile file in the corpus, at every endpoint that accepts a file: refused with a
message naming the problem, nothing written (no rows, no stored files), and the worker's
peak memory under 200 MB, measured in a separate process (``measure``).

The endpoints: evidence for training done elsewhere (page), the staff import (page), and
the staff import (API). The counts are printed at the end of the module."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from cpd.models import AuditEvent, ExternalRecord, Membership
from tests.factories import PASSWORD, MembershipFactory
from tests.hostile.corpus import corpus
from tests.hostile.measure import measure

pytestmark = pytest.mark.django_db

CORPUS = corpus()
WORKERS = ("evidence", "staff")
PEAK_LIMIT_MB = 200
SECONDS_LIMIT = 2.0
ESCAPED = Path("/tmp/cpd-escaped.html")

#: Endpoint → the worker that runs its file handling.
ENDPOINTS = {
    "evidence page": "evidence",
    "staff import page": "staff",
    "staff import API": "staff",
}
_tally: dict[str, list[bool]] = {endpoint: [] for endpoint in ENDPOINTS}


@pytest.fixture(scope="module")
def measured(request):
    """Each file through each worker, in a separate process; the counts are printed when
    the module is done."""
    jobs = [(worker, h.name, h.content) for h in CORPUS for worker in WORKERS]
    results = dict(zip([(h.key, w) for h in CORPUS for w in WORKERS], measure(jobs), strict=True))
    yield results
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            _report(reporter, results)


def _report(reporter, results) -> None:
    peak = max(m.peak_mb for m in results.values() if m.peak_mb is not None)
    slowest = max(m.seconds for m in results.values())
    reporter.write_line("")
    reporter.write_line(
        f"hostile corpus: {len(CORPUS)} files x {len(ENDPOINTS)} endpoints = "
        f"{len(CORPUS) * len(ENDPOINTS)} uploads; refused "
        f"{sum(sum(v) for v in _tally.values())}; worker peak {peak:.0f} MB "
        f"(limit {PEAK_LIMIT_MB} MB); slowest {slowest:.2f} s"
    )
    for endpoint, refused in _tally.items():
        reporter.write_line(f"  {endpoint}: {sum(refused)} of {len(refused)} refused")


def _snapshot(media: Path) -> tuple:
    return (
        ExternalRecord.objects.count(),
        Membership.objects.count(),
        AuditEvent.objects.count(),
        sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()),
        ESCAPED.exists(),
    )


def _bounded(measured, hostile, worker) -> None:
    result = measured[(hostile.key, worker)]
    assert result.outcome.startswith("refused: "), result.outcome
    assert result.peak_mb is not None and result.peak_mb < PEAK_LIMIT_MB, result
    assert result.seconds < SECONDS_LIMIT, result


@pytest.fixture
def admin(school):
    return MembershipFactory(
        school=school, role=Membership.Role.SCHOOL_ADMIN, user__email="head@oakwood.test"
    )


def _strings(value) -> list[str]:
    """Every message in an API error body, however nested."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _upload(hostile):
    return SimpleUploadedFile(hostile.name, hostile.content, content_type="application/pdf")


@pytest.mark.parametrize("hostile", CORPUS, ids=[h.key for h in CORPUS])
def test_evidence_page_refuses_hostile_file(client, staff, media, measured, hostile):
    client.login(username=staff.user.email, password=PASSWORD)
    before = _snapshot(media)
    response = client.post(
        "/training/records/",
        {
            "title": "Level 1 safeguarding",
            "provider": "County council",
            "completed_on": "2026-01-10",
            "minutes": "90",
            "satisfies_course": "",
            "evidence": _upload(hostile),
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["evidence"]
    assert hostile.evidence in " ".join(errors["evidence"])
    assert _snapshot(media) == before
    _bounded(measured, hostile, "evidence")
    _tally["evidence page"].append(True)


@pytest.mark.parametrize("hostile", CORPUS, ids=[h.key for h in CORPUS])
def test_staff_import_page_refuses_hostile_file(client, admin, school, media, measured, hostile):
    client.login(username=admin.user.email, password=PASSWORD)
    before = _snapshot(media)
    response = client.post(f"/schools/{school.slug}/staff/import/", {"file": _upload(hostile)})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["file"]
    assert hostile.staff in " ".join(errors["file"]).replace("submitted file is empty", "empty")
    assert _snapshot(media) == before
    _bounded(measured, hostile, "staff")
    _tally["staff import page"].append(True)


@pytest.mark.parametrize("hostile", CORPUS, ids=[h.key for h in CORPUS])
def test_staff_import_api_refuses_hostile_file(admin, school, media, measured, hostile):
    api = APIClient()
    api.force_authenticate(admin.user)
    before = _snapshot(media)
    response = api.post(
        f"/api/v1/schools/{school.slug}/staff/import/",
        {"file": _upload(hostile)},
        format="multipart",
    )
    assert response.status_code == 400
    assert hostile.staff in " ".join(_strings(response.json())).replace(
        "submitted file is empty", "empty"
    )
    assert _snapshot(media) == before
    _bounded(measured, hostile, "staff")
    _tally["staff import API"].append(True)
