"""Certificates: render overhead against raw WeasyPrint, certificates issued per second end
to end, and evidence packs of 1,000 and 10,000 stored certificates (time and peak memory,
each measured in a fresh subprocess).

Run through ``benchmarks/run.py`` (``make bench``). A pack subprocess is this file run as
``bench_certificates.py pack <workdir> <count>``.
"""

import hashlib
import json
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

RENDER_RUNS = 15
ISSUE_COUNT = 20
PACK_SIZES = (1_000, 10_000)
MB = 1024 * 1024


def _fixtures(slug: str):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from courses.models import Course, CourseVersion
    from cpd.models import Membership, School

    school = School.objects.create(name=f"Bench School {slug}", slug=slug)
    course = Course.objects.create(slug=f"course-{slug}", title="Recognising grooming")
    version = CourseVersion.objects.create(
        course=course,
        number=1,
        content_hash=hashlib.sha256(slug.encode()).hexdigest(),
        published_at=timezone.now(),
        title=course.title,
        reviewed_against="KCSIE 2025",
        cpd_minutes=90,
        pass_mark=80,
        questions_per_attempt=10,
        max_attempts=3,
        retry_cooldown=timedelta(minutes=30),
        validity_months=12,
    )
    user = get_user_model().objects.create(
        username=f"holder@{slug}.test",
        email=f"holder@{slug}.test",
        first_name="Amara",
        last_name="Okonkwo",
    )
    membership = Membership.objects.create(
        user=user,
        school=school,
        role=Membership.Role.STAFF,
        staff_category=Membership.StaffCategory.TEACHING,
        started_on=date(2024, 9, 1),
    )
    return school, version, membership


def _completed_enrolment(membership, version):
    from courses.models import Enrolment

    at = datetime(2026, 1, 15, 10, tzinfo=UTC)
    return Enrolment.objects.create(
        membership=membership,
        course_version=version,
        status=Enrolment.Status.COMPLETED,
        started_at=at,
        completed_at=at,
    )


def bench_render() -> list[dict]:
    from django.template.loader import render_to_string
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from certificates import pdf
    from certificates.rendering import certificate_context
    from certificates.services import certificate_issue

    _, version, membership = _fixtures("render")
    certificate = certificate_issue(
        enrolment=_completed_enrolment(membership, version), score=90, notify=False
    )
    html = render_to_string("certificates/certificate.html", certificate_context(certificate))
    raw_fonts = FontConfiguration()

    def ours():
        pdf.certificate_pdf(context=certificate_context(certificate))

    def raw():
        HTML(string=html).write_pdf(font_config=raw_fonts, **pdf.PDF_OPTIONS)

    for _ in range(3):  # warm: fonts, caches, imports
        ours()
        raw()
    timings = {"ours": [], "raw": []}
    for _ in range(RENDER_RUNS):  # interleaved, so drift hits both alike
        for name, fn in (("ours", ours), ("raw", raw)):
            started = time.perf_counter()
            fn()
            timings[name].append(time.perf_counter() - started)
    ours_ms = statistics.median(timings["ours"]) * 1000
    raw_ms = statistics.median(timings["raw"]) * 1000
    ratio = ours_ms / raw_ms
    return [
        {"name": "certificate render, ours (median)", "value": ours_ms, "unit": "ms",
         "target": "", "ok": None},
        {"name": "certificate render, raw WeasyPrint (median)", "value": raw_ms, "unit": "ms",
         "target": "", "ok": None},
        {"name": "render overhead ratio", "value": ratio, "unit": "x", "target": "<= 1.15",
         "ok": ratio <= 1.15},
    ]  # fmt: skip


def bench_issue() -> list[dict]:
    from django.contrib.auth import get_user_model

    from certificates.models import Certificate
    from certificates.services import certificate_issue
    from cpd.models import Membership

    school, version, _ = _fixtures("issue")
    User = get_user_model()
    enrolments = []
    for n in range(ISSUE_COUNT):
        user = User.objects.create(username=f"p{n}@issue.test", email=f"p{n}@issue.test",
                                   first_name=f"Person{n}", last_name="Bench")  # fmt: skip
        membership = Membership.objects.create(
            user=user, school=school, staff_category="teaching", started_on=date(2024, 9, 1)
        )
        enrolments.append(_completed_enrolment(membership, version))
    started = time.perf_counter()
    for enrolment in enrolments:
        # Autocommit: on_commit work (render, store, email) runs at once, inline.
        certificate_issue(enrolment=enrolment, score=90)
    elapsed = time.perf_counter() - started
    rendered = Certificate.objects.filter(membership__school=school).exclude(pdf="").count()
    assert rendered == ISSUE_COUNT, rendered
    rate = ISSUE_COUNT / elapsed
    return [{"name": "certificates issued end to end (render, store, email)", "value": rate,
             "unit": "/s", "target": "", "ok": None}]  # fmt: skip


def seed_pack(count: int) -> int:
    """A school with ``count`` certificates, all pointing at one small stored PDF: bulk
    inserts, so a 10,000 pack is set up in seconds. Returns the school's id."""
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile

    from certificates.models import Certificate, certificate_storage
    from courses.models import Enrolment
    from cpd.models import Membership

    school, version, _ = _fixtures(f"pack-{count}")
    first = Certificate.objects.filter(
        membership__school__slug="render", pdf__gt=""
    ).first()  # the rendered one from bench_render, as the shared file
    data = first.pdf.open("rb").read()
    name = certificate_storage().save(f"certificates/bench/shared-{count}.pdf", ContentFile(data))
    digest = hashlib.sha256(data).hexdigest()
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"p{n}@{school.slug}.test", email=f"p{n}@{school.slug}.test",
             first_name=f"Forename{n}", last_name=f"Surname{n % 997}")
        for n in range(count)
    )  # fmt: skip
    memberships = Membership.objects.bulk_create(
        Membership(user=u, school=school, staff_category="teaching", started_on=date(2024, 9, 1))
        for u in users
    )
    at = datetime(2026, 1, 15, 10, tzinfo=UTC)
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(membership=m, course_version=version, status="completed", started_at=at,
                  completed_at=at)
        for m in memberships
    )  # fmt: skip
    Certificate.objects.bulk_create(
        (
            Certificate(enrolment=e, membership_id=e.membership_id, course_id=version.course_id,
                        serial=f"BENCH-{count}-{n:06d}", verification_code=f"{count}-{n:040d}",
                        holder_name=f"Forename{n} Surname{n % 997}", school_name=school.name,
                        course_title=version.title, course_version_number=1,
                        reviewed_against="KCSIE 2025", cpd_minutes=90, score=90,
                        completed_on=date(2026, 1, 15), expires_on=date(2027, 1, 15),
                        issued_at=at, pdf=name, pdf_sha256=digest)
            for n, e in enumerate(enrolments)
        ),
        batch_size=1000,
    )  # fmt: skip
    return school.pk


def _maxrss_mb() -> float:
    """This process's peak resident memory so far. Linux's VmHWM starts afresh at exec;
    ru_maxrss would carry the parent's peak into the subprocess."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _pack_main(workdir: str, count: int, school_id: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run import setup_django

    setup_django(Path(workdir))
    from certificates.models import Export
    from cpd.compliance.evidence.building import export_build
    from cpd.models import School

    school = School.objects.get(pk=school_id)
    export = Export.objects.create(school=school)
    before = _maxrss_mb()
    started = time.perf_counter()
    export = export_build(export=export)
    elapsed = time.perf_counter() - started
    after = _maxrss_mb()
    assert export.status == "ready", export.error
    assert export.certificate_count == count
    print(json.dumps({"seconds": elapsed, "peak_rss_mb": after, "growth_mb": after - before,
                      "zip_mb": export.file.size / MB}))  # fmt: skip


def bench_packs(workdir: Path) -> list[dict]:
    results = []
    first_seconds = None
    for count in PACK_SIZES:
        school_id = seed_pack(count)
        out = subprocess.run(  # noqa: S603 - our own script, fixed arguments
            [sys.executable, __file__, "pack", str(workdir), str(count), str(school_id)],
            check=True,
            capture_output=True,
            text=True,
        )
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        seconds, peak = figures["seconds"], figures["peak_rss_mb"]
        if first_seconds is None:
            first_seconds = seconds
            time_target, time_ok = "< 5 s", seconds < 5
        else:
            time_target = f"< 10x the {PACK_SIZES[0]:,} pack ({10 * first_seconds:.1f} s)"
            time_ok = seconds < 10 * first_seconds
        results += [
            {"name": f"evidence pack of {count:,}: time", "value": seconds, "unit": "s",
             "target": time_target, "ok": time_ok},
            {"name": f"evidence pack of {count:,}: peak memory (process RSS)", "value": peak,
             "unit": "MB", "target": "< 200 MB", "ok": peak < 200},
            {"name": f"evidence pack of {count:,}: memory growth while building",
             "value": figures["growth_mb"], "unit": "MB", "target": "", "ok": None},
            {"name": f"evidence pack of {count:,}: ZIP size", "value": figures["zip_mb"],
             "unit": "MB", "target": "", "ok": None},
        ]  # fmt: skip
    return results


def run(*, workdir: Path) -> list[dict]:
    return bench_render() + bench_issue() + bench_packs(workdir)


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "pack":
    _pack_main(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
