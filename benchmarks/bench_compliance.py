"""Compliance at trust scale: 10,000 staff across 50 schools.

Budgets on the 2-core reference machine, absolute: the trust summary (the selector behind
the trust overview) under 300 ms; one school's dashboard page (200 staff), the whole page
through the test client, under 100 ms; the trust overview page under 300 ms. The status
engine's SQL, run alone on the cursor, and one person's rows are given as information.

Each figure is the median wall time of the runs, held to the budget. Beside it is the
median CPU time of this process: SQLite and the test client run in it, so on a machine
shared with other work the CPU time is the work itself and the wall time adds the wait."""

import statistics
import time
from datetime import timedelta

SCHOOLS = 50
STAFF_PER_SCHOOL = 200
REPEAT = 7


def _timed(name: str, fn, *, budget_ms: float | None = None, repeat: int = REPEAT) -> dict:
    fn()  # warm caches and connections
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    wall_ms = statistics.median(walls)
    return {
        "name": f"compliance: {name}",
        "value": wall_ms,
        "unit": "ms",
        "cpu_ms": statistics.median(cpus),
        "target": "" if budget_ms is None else f"< {budget_ms:g} ms",
        "ok": None if budget_ms is None else wall_ms < budget_ms,
    }


def _populate():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from certificates.models import Certificate
    from courses.content import shipped_course_folders
    from courses.models import Enrolment
    from courses.services import courses_load
    from cpd.compliance.services import requirement_pack_load
    from cpd.models import Membership, School, Trust, TrustRole

    User = get_user_model()
    versions = {v.course.slug: v for v, _ in courses_load(folders=shipped_course_folders())}
    requirement_pack_load(name="kcsie")
    trust = Trust.objects.create(name="Bench Trust", slug="bench-trust")
    schools = School.objects.bulk_create(
        School(name=f"School {n:02d}", slug=f"bench-school-{n:02d}", trust=trust)
        for n in range(SCHOOLS)
    )
    today = timezone.localdate()
    unusable = make_password(None)
    users = User.objects.bulk_create(
        User(username=f"staff{n}@bench.test", email=f"staff{n}@bench.test",
             first_name=f"First{n}", last_name=f"Last{n}", password=unusable)
        for n in range(SCHOOLS * STAFF_PER_SCHOOL)
    )  # fmt: skip
    categories = ["teaching", "support", "teaching", "volunteer", "governor", "supply"]
    memberships = Membership.objects.bulk_create(
        Membership(
            user=user,
            school=schools[n // STAFF_PER_SCHOOL],
            role="dsl" if n % STAFF_PER_SCHOOL == 0 else "staff",
            staff_category=categories[n % len(categories)],
            started_on=today - timedelta(days=30 + (n * 37) % 2000),
        )
        for n, user in enumerate(users)
    )
    now = timezone.now()
    enrolments, certificates = [], []
    for n, membership in enumerate(memberships):
        for slug, share in (("safeguarding-induction", 9), ("annual-safeguarding-update", 7)):
            if n % 10 >= share:
                continue
            completed = today - timedelta(days=(n * 13) % 500)
            enrolments.append(
                Enrolment(
                    membership=membership, course_version=versions[slug], status="completed",
                    started_at=now, completed_at=now,
                )
            )  # fmt: skip
            certificates.append((membership, versions[slug], completed))
    enrolments = Enrolment.objects.bulk_create(enrolments, batch_size=2000)
    Certificate.objects.bulk_create(
        (
            Certificate(
                enrolment=enrolment, membership=membership, course=version.course,
                serial=f"BENCH-{i:07d}", verification_code=f"bench-{i:012d}",
                holder_name="Bench", school_name="School", course_title=version.title,
                course_version_number=1, reviewed_against="KCSIE 2025", cpd_minutes=60,
                score=90, completed_on=completed,
                expires_on=completed + timedelta(days=365) if version.validity_months else None,
                issued_at=now,
            )
            for i, (enrolment, (membership, version, completed)) in enumerate(
                zip(enrolments, certificates, strict=True)
            )
        ),
        batch_size=2000,
    )  # fmt: skip
    admin = User.objects.create_user("trust@bench.test", "trust@bench.test", "bench-password")
    TrustRole.objects.create(user=admin, trust=trust)
    return trust, schools, memberships


def run(*, workdir=None) -> list[dict]:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cpd.compliance.dashboards import trust_summary
    from cpd.compliance.engine import compliance_rows
    from cpd.models import Membership

    call_command("collectstatic", interactive=False, verbosity=0)  # production static files
    trust, schools, _ = _populate()
    on = timezone.localdate()
    results = [
        _timed(
            "trust summary, 10,000 staff in 50 schools",
            lambda: trust_summary(trust=trust, on=on),
            budget_ms=300,
        )
    ]

    client = Client(HTTP_HOST="localhost")
    client.force_login(Membership.objects.get(school=schools[0], role="dsl").user)
    url = f"/schools/{schools[0].slug}/compliance/"
    assert client.get(url, secure=True).status_code == 200
    results.append(
        _timed(
            "one school's dashboard page (200 staff)",
            lambda: client.get(url, secure=True),
            budget_ms=100,
        )
    )

    trust_client = Client(HTTP_HOST="localhost")
    trust_client.force_login(trust.roles.get().user)
    results.append(
        _timed(
            "trust overview page (50 schools)",
            lambda: trust_client.get(f"/trusts/{trust.slug}/", secure=True),
            budget_ms=300,
        )
    )

    # Information, with no target.
    memberships = list(
        Membership.objects.filter(school__trust=trust).active_on(on).select_related("school")
    )
    results.append(
        _timed(
            "compliance_rows, 10,000 memberships",
            lambda: compliance_rows(memberships=memberships, on=on),
        )
    )

    # The same statements straight on the cursor, without the ORM's conversions or the
    # rules: what the ORM and the rules add is the difference.
    with CaptureQueriesContext(connection) as captured:
        compliance_rows(memberships=memberships, on=on)
    statements = [q["sql"] for q in captured.captured_queries]

    def raw_sql():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    results.append(_timed(f"its {len(statements)} SQL statements alone, on the cursor", raw_sql))
    one = [memberships[0]]
    results.append(
        _timed(
            "compliance_rows, one membership (school of 200)",
            lambda: compliance_rows(memberships=one, on=on),
        )
    )
    return results
