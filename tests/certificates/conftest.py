import io
import re
import sys
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from pypdf import PdfReader

from certificates.models import Certificate
from certificates.services import certificate_issue
from courses.models import Enrolment
from tests.factories import CourseVersionFactory, EnrolmentFactory, MembershipFactory

COMPLETED_AT = datetime(2026, 1, 15, 10, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def version(db):
    return CourseVersionFactory(
        course__slug="recognising-grooming",
        course__title="Recognising grooming",
        number=2,
        reviewed_against="KCSIE 2025",
        cpd_minutes=90,
        validity_months=12,
    )


@pytest.fixture
def issue(django_capture_on_commit_callbacks):
    """Issue a certificate through the real service (PDF rendered through the task, after
    commit) for a completed enrolment."""

    def _issue(*, membership, version, score: int = 85, completed_at=COMPLETED_AT):
        enrolment = EnrolmentFactory(
            membership=membership,
            course_version=version,
            status=Enrolment.Status.COMPLETED,
            started_at=completed_at,
            completed_at=completed_at,
        )
        with django_capture_on_commit_callbacks(execute=True):
            certificate = certificate_issue(enrolment=enrolment, score=score, notify=False)
        return Certificate.objects.get(pk=certificate.pk)

    return _issue


@pytest.fixture
def member(school):
    def _member(first_name: str = "Amara", last_name: str = "Okonkwo", **kwargs):
        return MembershipFactory(
            school=school, user__first_name=first_name, user__last_name=last_name, **kwargs
        )

    return _member


def pdf_reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def pdf_lines(data: bytes) -> list[str]:
    reader = pdf_reader(data)
    return [
        line.strip()
        for page in reader.pages
        for line in page.extract_text().splitlines()
        if line.strip()
    ]


# Every file a render opens from Python, and every network request it starts, recorded
# through the interpreter's audit hooks (which cannot be removed, so the hook is added once
# and records only while a recorder is active).
_recorders: list[list[tuple[str, str]]] = []
_WATCHED = {"open", "urllib.Request", "socket.connect", "socket.getaddrinfo", "subprocess.Popen"}


def _audit_hook(event: str, args: tuple) -> None:
    if _recorders and event in _WATCHED:
        _recorders[-1].append((event, str(args[0])))


sys.addaudithook(_audit_hook)


@contextmanager
def recorded_access():
    events: list[tuple[str, str]] = []
    _recorders.append(events)
    try:
        yield events
    finally:
        _recorders.remove(events)


def text_of(response) -> str:
    """The visible text of a page's <main>, whitespace collapsed."""
    page = response.content.decode()
    main = page.split('<main id="main"', 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).strip()


def stored_bytes(certificate: Certificate) -> bytes:
    with certificate.pdf.storage.open(certificate.pdf.name, "rb") as handle:
        return handle.read()
