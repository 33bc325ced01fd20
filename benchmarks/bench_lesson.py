"""The lesson page, in-process: a learner part-way through the shipped induction course
opens a reading lesson and a scenario lesson, through Django's test client on SQLite with
warm caches (the version's content in the cache framework, the session in the database).

Budget on the 2-core reference machine, absolute: each page under 5 ms (the median of
nine rounds of 200 requests, wall time; the process's CPU time beside it). The queries
each page makes are pinned in tests/courses/test_player.py."""

import statistics
import time

ROUNDS = 9
PER_ROUND = 200
BUDGET_MS = 5.0


def _timed(name: str, fn) -> dict:
    for _ in range(50):
        fn()
    walls, cpus = [], []
    for _ in range(ROUNDS):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(PER_ROUND):
            fn()
        cpus.append((time.process_time() - cpu) * 1000 / PER_ROUND)
        walls.append((time.perf_counter() - wall) * 1000 / PER_ROUND)
    wall_ms = statistics.median(walls)
    return {
        "name": f"lesson page: {name}",
        "value": wall_ms,
        "unit": "ms",
        "cpu_ms": statistics.median(cpus),
        "target": f"< {BUDGET_MS:g} ms",
        "ok": wall_ms < BUDGET_MS,
    }


def run(*, workdir=None) -> list[dict]:
    from datetime import date

    from django.test import Client
    from django.utils import timezone

    from courses.content import shipped_course_folders
    from courses.models import Lesson
    from courses.services import course_enrol, courses_load
    from cpd.models import Membership, School
    from cpd.people.services import Person, users_get_or_create

    [(version, _new)] = [
        loaded
        for loaded in courses_load(folders=shipped_course_folders())
        if loaded[0].course.slug == "safeguarding-induction"
    ]
    school = School.objects.create(name="Bench Primary", slug="bench-primary")
    [user] = users_get_or_create(people=[Person("learner@bench.test", "Lee", "Learner")]).values()
    Membership.objects.create(
        user=user, school=school, role="staff", staff_category="teaching",
        started_on=date(2020, 9, 1),
    )  # fmt: skip
    course_enrol(user=user, course=version.course, on=timezone.localdate())
    lessons = list(
        Lesson.objects.filter(module__version=version).order_by("module__position", "position")
    )
    reading = next(lesson for lesson in lessons if lesson.kind == Lesson.Kind.CONTENT)
    scenario = next(lesson for lesson in lessons if lesson.kind == Lesson.Kind.SCENARIO)

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    results = []
    for name, lesson in (("a reading lesson", reading), ("a scenario lesson", scenario)):
        url = f"/courses/{version.course.slug}/lessons/{lesson.slug}/"
        assert client.get(url, secure=True).status_code == 200, url
        results.append(_timed(name, lambda url=url: client.get(url, secure=True)))
    return results
