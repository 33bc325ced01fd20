"""Data for the scale test and the load test, written with the ORM into the database that
the environment's settings point at (run as a script, not imported by the suite):

    DJANGO_SETTINGS_MODULE=cpd.site.settings DATABASE_URL=... \\
        python -m tests.scale.seed attempts --schools 5 --learners 500 --out learners.json
    python -m tests.scale.seed report     # what the database holds afterwards, as JSON

``attempts`` gives every learner an enrolment on the induction course with its lessons done
and an attempt started, plus a signed-in session, so each can submit over HTTP at once.
``people`` makes schools, staff and DSLs who sign in with a password, for the load test.
"""

import argparse
import hashlib
import json
import os
import sys
from datetime import date
from html import escape


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpd.site.settings")
    import django

    django.setup()


COURSE = "safeguarding-induction"


def load_course():
    from courses.content import shipped_course_folders
    from courses.services import courses_load

    folders = [f for f in shipped_course_folders() if f.name == COURSE]
    [(version, _created)] = courses_load(folders=folders)
    return version


def people(*, schools: int, staff_per_school: int, password: str, prefix: str) -> dict:
    """Schools in one trust, each with staff and one DSL, all with the same password (hashed
    once: hashing 500 passwords would take longer than the test)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from cpd.models import Membership, School, Trust

    User = get_user_model()
    encoded = make_password(password)
    trust = Trust.objects.create(name=f"{prefix.title()} Trust", slug=f"{prefix}-trust")
    result = {"schools": [], "staff": [], "dsls": []}
    for s in range(schools):
        school = School.objects.create(
            name=f"{prefix.title()} School {s + 1}", slug=f"{prefix}-school-{s + 1}", trust=trust
        )
        result["schools"].append(school.slug)
        users = User.objects.bulk_create(
            User(
                username=f"{prefix}-{s + 1}-{n}@school.test",
                email=f"{prefix}-{s + 1}-{n}@school.test",
                first_name=f"Learner{n}",
                last_name=f"School{s + 1}",
                password=encoded,
            )
            for n in range(staff_per_school + 1)
        )
        Membership.objects.bulk_create(
            Membership(
                user=user,
                school=school,
                role=Membership.Role.DSL if n == 0 else Membership.Role.STAFF,
                staff_category=Membership.StaffCategory.TEACHING,
                job_title="Designated safeguarding lead" if n == 0 else "Class teacher",
                started_on=date(2024, 9, 1),
            )
            for n, user in enumerate(users)
        )
        result["dsls"].append({"email": users[0].email, "school": school.slug})
        result["staff"] += [{"email": u.email, "school": school.slug} for u in users[1:]]
    return result


def _session_for(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def attempts(*, schools: int, learners: int) -> list[dict]:
    from django.db import transaction
    from django.utils import timezone

    from courses.models import Enrolment, LessonProgress, Question
    from courses.services import attempt_start
    from cpd.models import Membership

    version = load_course()
    per_school = -(-learners // schools)
    people(schools=schools, staff_per_school=per_school, password="scale-test", prefix="scale")
    memberships = list(
        Membership.objects.filter(role=Membership.Role.STAFF)
        .select_related("user")
        .order_by("pk")[:learners]
    )
    now = timezone.now()
    with transaction.atomic():
        enrolments = Enrolment.objects.bulk_create(
            Enrolment(membership=m, course_version=version, started_at=now) for m in memberships
        )
        lessons = list(version.lessons.all())
        LessonProgress.objects.bulk_create(
            LessonProgress(enrolment=e, lesson=lesson, started_at=now, completed_at=now)
            for e in enrolments
            for lesson in lessons
        )
    correct = {
        q.pk: {c.pk for c in q.choices.all() if c.is_correct}
        for q in Question.objects.filter(version=version).prefetch_related("choices")
    }
    result = []
    for membership, enrolment in zip(memberships, enrolments, strict=True):
        attempt = attempt_start(enrolment=enrolment)
        result.append(
            {
                "email": membership.user.email,
                "session": _session_for(membership.user),
                "path": f"/courses/{COURSE}/check/{attempt.number}/",
                # Each correct choice by the value the attempt serves it under.
                "answers": {
                    f"q{item['question']}": [
                        value
                        for pk, value in zip(item["choices"], item["values"], strict=True)
                        if pk in correct[item["question"]]
                    ]
                    for item in attempt.served
                },
            }
        )
    return result


def report() -> dict:
    """What the scale test checks, read from the database and the storage."""
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from certificates.models import Certificate
    from courses.models import Attempt, Enrolment

    certificates = list(Certificate.objects.order_by("pk"))
    mismatched = []
    for certificate in certificates:
        if not certificate.pdf:
            mismatched.append({"serial": certificate.serial, "problem": "no PDF"})
            continue
        with certificate.pdf.open("rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        if digest != certificate.pdf_sha256:
            mismatched.append({"serial": certificate.serial, "problem": "hash differs"})
    per_enrolment = Certificate.objects.values("enrolment").annotate(n=Count("pk"))
    stored_files = []
    if certificates:
        storage = Certificate._meta.get_field("pdf").storage
        for year in {c.issued_at.year for c in certificates}:
            stored_files += storage.listdir(f"certificates/{year}")[1]
    return {
        "certificates": len(certificates),
        "enrolments_with_more_than_one": sum(1 for row in per_enrolment if row["n"] > 1),
        "distinct_serials": len({c.serial for c in certificates}),
        "pdf_problems": mismatched,
        "stored_pdf_files": len(stored_files),
        "attempts_submitted": Attempt.objects.filter(submitted_at__isnull=False).count(),
        "attempts_passed": Attempt.objects.filter(passed=True).count(),
        "attempts_open": Attempt.objects.filter(submitted_at__isnull=True).count(),
        "enrolments_completed": Enrolment.objects.filter(status="completed").count(),
        "tasks": dict(
            DBTaskResult.objects.values_list("status").annotate(n=Count("pk")).order_by()
        ),
        "task_attempts_max": max(
            (len(ids) for ids in DBTaskResult.objects.values_list("worker_ids", flat=True)),
            default=0,
        ),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    a = sub.add_parser("attempts")
    a.add_argument("--schools", type=int, default=5)
    a.add_argument("--learners", type=int, default=500)
    a.add_argument("--out", required=True)
    p = sub.add_parser("people")
    p.add_argument("--schools", type=int, default=6)
    p.add_argument("--staff", type=int, default=150)
    p.add_argument("--password", default="cpd-load")
    p.add_argument("--out", required=True)
    sub.add_parser("report")
    args = parser.parse_args(argv)
    _setup()
    if args.command == "attempts":
        data = attempts(schools=args.schools, learners=args.learners)
    elif args.command == "people":
        load_course()
        data = people(
            schools=args.schools,
            staff_per_school=args.staff,
            password=args.password,
            prefix="load",
        )
        data["course"] = COURSE
        data["lessons"] = _lessons()
        data["baseline_sessions"] = _enrolled_sessions(data["staff"][-16:])
        data["password"] = args.password
        data["answers"] = _answer_key()
    else:
        json.dump(report(), sys.stdout)
        return
    with open(args.out, "w") as f:
        json.dump(data, f)


def _enrolled_sessions(staff: list[dict]) -> list[str]:
    """Signed-in sessions of staff already enrolled on the course, for the lesson-page
    baseline (which measures the lesson page, not password hashing)."""
    from courses.models import CourseVersion
    from courses.services import enrolment_start
    from cpd.models import Membership

    version = CourseVersion.objects.filter(course__slug=COURSE).latest("number")
    sessions = []
    for membership in Membership.objects.filter(
        user__email__in=[s["email"] for s in staff]
    ).select_related("user"):
        enrolment_start(membership=membership, course_version=version)
        sessions.append(_session_for(membership.user))
    return sessions


def _lessons() -> list[dict]:
    """The course's lessons in order, with what a learner posts to finish each: for a
    scenario, the text of a response (as the page shows it, escaped), since each enrolment
    is offered the responses under values of its own."""
    from courses.models import Lesson

    lessons = Lesson.objects.filter(version__course__slug=COURSE).order_by("position")
    return [
        {
            "slug": lesson.slug,
            "kind": lesson.kind,
            "choice": next((escape(c.text) for c in lesson.choices.all()), None),
        }
        for lesson in lessons.prefetch_related("choices")
    ]


def _answer_key() -> dict:
    """Question id -> the texts (escaped, as the page shows them) of its correct choices:
    what a learner who read the lessons would pick. Each attempt serves choices under
    values of its own, so a learner finds them on the page by their text."""
    from courses.models import Question

    return {
        str(q.pk): sorted(escape(c.text) for c in q.choices.all() if c.is_correct)
        for q in Question.objects.filter(version__course__slug=COURSE).prefetch_related("choices")
    }


if __name__ == "__main__":
    main()
