"""The demo: Northfield Learning Trust, two schools, staff in every role and category with a
realistic spread of progress, and the logins printed by ``manage.py cpd_demo``.

Idempotent: every row is looked up before it is made, so a second run changes nothing.
Dates are relative to the day of the first run.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from cpd.compliance.services import requirement_pack_load
from cpd.dates import add_months
from cpd.models import Membership, School, SignInPolicy, Trust, TrustRole
from cpd.people import services as people_services

PASSWORD = "cpd-demo"  # noqa: S105 - printed on purpose; the demo refuses to run without DEBUG


R = Membership.Role


C = Membership.StaffCategory


@dataclass(frozen=True)
class Person:
    email: str
    first_name: str
    last_name: str
    role: str
    category: str
    job_title: str
    started_days_ago: int
    # course slug -> months ago completed (a certificate), or "progress" for lessons under way
    training: tuple = ()
    left_days_ago: int | None = None
    login: str = ""


INDUCTION = "safeguarding-induction"


ANNUAL = "annual-safeguarding-update"


DSL = "dsl-refresher"


GROOMING = "recognising-grooming"


OAKWOOD = [
    Person(
        "teacher@oakwood.test",
        "Sarah",
        "Thompson",
        R.STAFF,
        C.TEACHING,
        "Year 4 teacher",
        3 * 365,
        ((INDUCTION, 36), (ANNUAL, 11.6)),
        login="teaching staff at Oakwood",
    ),
    Person(
        "dsl@oakwood.test",
        "David",
        "Okafor",
        R.DSL,
        C.TEACHING,
        "Deputy headteacher",
        6 * 365,
        ((INDUCTION, 70), (ANNUAL, 4), (DSL, 20), (GROOMING, 8)),
        login="designated safeguarding lead at Oakwood",
    ),
    Person(
        "head@oakwood.test",
        "Helen",
        "Price",
        R.SCHOOL_ADMIN,
        C.TEACHING,
        "Headteacher",
        8 * 365,
        ((INDUCTION, 90), (ANNUAL, 2)),
        login="school admin at Oakwood",
    ),
    Person(
        "priya.patel@oakwood.test",
        "Priya",
        "Patel",
        R.DEPUTY_DSL,
        C.TEACHING,
        "SENCo",
        5 * 365,
        ((INDUCTION, 60), (ANNUAL, 13), (DSL, 25)),
    ),
    Person("tom.becker@oakwood.test", "Tom", "Becker", R.STAFF, C.SUPPORT, "Teaching assistant", 5),
    Person(
        "grace.adeyemi@oakwood.test",
        "Grace",
        "Adeyemi",
        R.STAFF,
        C.SUPPORT,
        "Office manager",
        2 * 365,
        ((INDUCTION, 24),),
    ),
    Person(
        "mark.ellis@oakwood.test", "Mark", "Ellis", R.STAFF, C.GOVERNOR, "Safeguarding governor", 40
    ),
    Person(
        "jo.walsh@oakwood.test",
        "Jo",
        "Walsh",
        R.STAFF,
        C.VOLUNTEER,
        "Reading volunteer",
        10,
        ((INDUCTION, "progress"),),
    ),
    Person("sam.kowalski@oakwood.test", "Sam", "Kowalski", R.STAFF, C.SUPPLY, "Supply teacher", 3),
    Person(
        "lena.novak@oakwood.test",
        "Lena",
        "Novak",
        R.STAFF,
        C.CONTRACTOR,
        "Sports coach",
        365,
        ((INDUCTION, 12), (ANNUAL, 6)),
    ),
    Person(
        "ahmed.hussain@oakwood.test",
        "Ahmed",
        "Hussain",
        R.STAFF,
        C.TEACHING,
        "Year 6 teacher",
        4 * 365,
        ((INDUCTION, 48), (ANNUAL, 1), (GROOMING, 1)),
    ),
    Person(
        "chris.dunn@oakwood.test",
        "Chris",
        "Dunn",
        R.STAFF,
        C.SUPPORT,
        "Midday supervisor",
        3 * 365,
        ((INDUCTION, 30),),
        left_days_ago=30,
    ),
]


RIVERSIDE = [
    Person("dsl@riverside.test", "Nadia", "Rahman", R.DSL, C.TEACHING,
           "Assistant headteacher", 7 * 365, ((INDUCTION, 80), (ANNUAL, 5), (DSL, 23.2)),
           login="designated safeguarding lead at Riverside"),
    Person("owen.price@riverside.test", "Owen", "Price", R.DEPUTY_DSL, C.SUPPORT,
           "Pastoral lead", 3 * 365, ((INDUCTION, 36), (ANNUAL, 3), (DSL, 10))),
    Person("beth.morgan@riverside.test", "Beth", "Morgan", R.STAFF, C.TEACHING,
           "Teacher of English", 2 * 365, ((INDUCTION, 24), (ANNUAL, 12.5))),
    Person("kofi.mensah@riverside.test", "Kofi", "Mensah", R.STAFF, C.TEACHING,
           "Teacher of science", 20, ((INDUCTION, "progress"),)),
    Person("anna.lewis@riverside.test", "Anna", "Lewis", R.SCHOOL_ADMIN, C.SUPPORT,
           "School business manager", 4 * 365, ((INDUCTION, 48), (ANNUAL, 7))),
    Person("ian.brooks@riverside.test", "Ian", "Brooks", R.STAFF, C.GOVERNOR,
           "Chair of governors", 2 * 365, ((INDUCTION, 23),)),
    Person("sam.kowalski@oakwood.test", "Sam", "Kowalski", R.STAFF, C.SUPPLY,
           "Supply teacher", 90, ()),
]  # fmt: skip


def _enrol_history(membership: Membership, person: Person, today) -> None:
    from certificates.services import certificate_issue
    from courses.models import Course, Enrolment, LessonProgress
    from courses.services import enrolment_start

    for slug, when in person.training:
        course = Course.objects.filter(slug=slug).first()
        if course is None:
            continue
        version = course.versions.order_by("-number").first()
        if Enrolment.objects.filter(membership=membership, course_version__course=course).exists():
            continue
        if when == "progress":
            enrolment = enrolment_start(membership=membership, course_version=version)
            now = timezone.now()
            LessonProgress.objects.bulk_create(
                LessonProgress(enrolment=enrolment, lesson=lesson, started_at=now, completed_at=now)
                for lesson in version.lessons.filter(kind="content").order_by("position")[:3]
            )
            continue
        months_whole = int(when)
        completed_on = add_months(today, -months_whole) - timedelta(
            days=round((when - months_whole) * 30)
        )
        completed_at = timezone.make_aware(
            timezone.datetime.combine(completed_on, timezone.datetime.min.time())
        ) + timedelta(hours=15)
        enrolment = Enrolment.objects.create(
            membership=membership,
            course_version=version,
            status=Enrolment.Status.COMPLETED,
            started_at=completed_at - timedelta(hours=1),
            completed_at=completed_at,
        )
        score = _answered_check(enrolment, seed=len(membership.user.email))
        certificate_issue(enrolment=enrolment, score=score, notify=False)


def _answered_check(enrolment, *, seed: int) -> int:
    """Submitted knowledge checks for a completed enrolment, so that the DSL's "questions
    staff most often get wrong" page and the reviewers' item statistics have something to
    show: a failed first attempt for about one person in three, then the pass. Each attempt
    draws its questions from the whole bank; a person's chance of a right answer depends on
    how well they know the material and how hard the question is, and a wrong answer picks
    a plausible wrong choice. Deterministic (seeded by the person)."""
    from courses.models import Answer, Attempt
    from courses.services.assessment import served_values

    version = enrolment.course_version
    bank = list(version.questions.order_by("position").prefetch_related("choices"))
    rng = random.Random(f"{seed}-{enrolment.membership.user.email}-{version.course_id}")
    knows = rng.uniform(0.55, 0.95)
    drawn = min(version.questions_per_attempt, len(bank))
    outcomes = [False, True] if rng.random() < 0.35 else [True]
    for number, passes in enumerate(outcomes, start=1):
        questions = rng.sample(bank, drawn)
        hard_first = sorted(questions, key=lambda q: -_hardness(q))
        if passes:
            # One slip at most, on the hardest question drawn, within the pass mark.
            wrong = set(hard_first[: min(1, drawn - -(-version.pass_mark * drawn // 100))])
        else:
            wrong = {q for q in questions if rng.random() > knows - _hardness(q) / 2}
            wrong |= set(hard_first[: max(0, drawn - version.pass_mark * drawn // 100 + 1)])
        right = drawn - len(wrong)
        started = enrolment.started_at + timedelta(minutes=20 * (number - 1))
        attempt = Attempt.objects.create(
            enrolment=enrolment,
            number=number,
            served=[
                {
                    "question": q.pk,
                    "choices": [c.pk for c in q.choices.all()],
                    "values": served_values(rng, list(q.choices.all())),
                }
                for q in questions
            ],
            started_at=started,
            submitted_at=enrolment.completed_at if passes else started + timedelta(minutes=8),
            score=round(100 * right / drawn) if drawn else 0,
            passed=passes,
        )
        for question in questions:
            choices = list(question.choices.all())
            correct = [c for c in choices if c.is_correct]
            wrong_choices = [c for c in choices if not c.is_correct] or correct
            if question in wrong:
                # The first wrong choice as written is the likeliest to tempt.
                picked = [wrong_choices[0] if rng.random() < 0.6 else rng.choice(wrong_choices)]
            else:
                picked = correct
            answer = Answer.objects.create(
                attempt=attempt, question=question, correct=question not in wrong
            )
            answer.choices.set(picked)
    return attempt.score


def _hardness(question) -> float:
    """A stable, made-up difficulty between 0 and 0.5 for the demo's answers."""
    return (question.position * 37 % 11) / 20


@transaction.atomic
def demo_create() -> list[tuple[str, str]]:
    """Create the demo (once). Returns the logins to print, as (email, what it is)."""
    from courses.content import shipped_course_folders
    from courses.services import courses_load

    courses_load(folders=shipped_course_folders())
    requirement_pack_load(name="kcsie")
    today = timezone.localdate()

    trust, _ = Trust.objects.get_or_create(
        slug="northfield", defaults={"name": "Northfield Learning Trust"}
    )
    schools = {
        "oakwood-primary": ("Oakwood Primary School", "100001", OAKWOOD),
        "riverside-academy": ("Riverside Academy", "100002", RIVERSIDE),
    }
    logins = []
    for slug, (name, urn, people) in schools.items():
        school, _ = School.objects.get_or_create(
            slug=slug, defaults={"name": name, "urn": urn, "trust": trust}
        )
        for person in people:
            user = _user(person.email, person.first_name, person.last_name)
            membership = Membership.objects.filter(user=user, school=school).first()
            if membership is None:
                membership = people_services.membership_create(
                    user=user,
                    school=school,
                    role=person.role,
                    staff_category=person.category,
                    job_title=person.job_title,
                    started_on=today - timedelta(days=person.started_days_ago),
                )
                if person.left_days_ago is not None:
                    membership.left_on = today - timedelta(days=person.left_days_ago)
                    membership.save(update_fields=["left_on"])
                _enrol_history(membership, person, today)
            if person.login:
                logins.append((person.email, person.login))

    _extras(School.objects.get(slug="oakwood-primary"), today)
    _arrangements(today)
    # Single sign-on through a local OpenID Connect provider (README, "Signing in"), for
    # @oakwood.test addresses; two-factor authentication not required.
    SignInPolicy.objects.get_or_create(
        school=School.objects.get(slug="oakwood-primary"),
        defaults={"providers": "trust", "email_domains": "oakwood.test"},
    )

    trust_admin = _user("trust@northfield.test", "Martin", "Hale")
    TrustRole.objects.get_or_create(user=trust_admin, trust=trust)
    logins.append(("trust@northfield.test", "trust admin for Northfield"))

    reviewer = _user("reviewer@northfield.test", "Grace", "Adeyemi")
    TrustRole.objects.get_or_create(
        user=reviewer, trust=trust, role=TrustRole.Role.CONTENT_REVIEWER
    )
    logins.append(("reviewer@northfield.test", "content reviewer: item statistics"))

    superuser = _user("admin@northfield.test", "Support", "Admin")
    if not superuser.is_superuser:
        superuser.is_staff = superuser.is_superuser = True
        superuser.save(update_fields=["is_staff", "is_superuser"])
    logins.append(("admin@northfield.test", "superuser, for /admin/"))
    return logins


def _user(email: str, first_name: str, last_name: str):
    person = people_services.Person(email, first_name, last_name)
    [user] = people_services.users_get_or_create(people=[person]).values()
    if not user.has_usable_password():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return user


DEMO_EVIDENCE = b"%PDF-1.4\n% demo evidence\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _extras(school: School, today) -> None:
    """A bulletin with some confirmations and a record of training done elsewhere waiting
    for the DSL, once."""
    from django.core.files.base import ContentFile

    from cpd.compliance.bulletins.services import bulletin_confirm, bulletin_post
    from cpd.compliance.records.services import external_record_add
    from cpd.models import Bulletin, ExternalRecord

    dsl = Membership.objects.get(school=school, user__email="dsl@oakwood.test")
    if not Bulletin.objects.filter(school=school).exists():
        bulletin = bulletin_post(
            school=school,
            actor=dsl.user,
            title="Gaming chats and private messages",
            body=(
                "Several pupils have mentioned adults they met in online games asking to "
                "move to private messaging apps.\n\n"
                "**If a pupil mentions this, tell me the same day.** Do not ask to see "
                "their phone or any images."
            ),
        )
        for email in ["teacher@oakwood.test", "head@oakwood.test", "ahmed.hussain@oakwood.test"]:
            bulletin_confirm(
                bulletin=bulletin,
                membership=Membership.objects.get(school=school, user__email=email),
            )
    coach = Membership.objects.get(school=school, user__email="lena.novak@oakwood.test")
    if not ExternalRecord.objects.filter(membership=coach).exists():
        external_record_add(
            membership=coach,
            actor=coach.user,
            title="Safeguarding and protecting children in sport",
            provider="County Sports Partnership",
            completed_on=today - timedelta(days=40),
            minutes=180,
            evidence=ContentFile(DEMO_EVIDENCE, name="certificate.pdf"),
            satisfies_course=None,
        )


# Telephone numbers from Ofcom's ranges kept for drama, so none reaches a real person.
OAKWOOD_ARRANGEMENTS = {
    "recording_system": "CPOMS",
    "recording_link": "https://oakwood.cpoms.example/",
    "childrens_social_care": "Northshire Children's Front Door",
    "childrens_social_care_phone": "01632 960100",
    "childrens_social_care_out_of_hours": "01632 960199",
    "lado_contact": "Northshire LADO team",
    "lado_phone": "01632 960200",
    "lado_email": "lado@northshire.example",
    "partnership_procedures": "https://northshire-safeguarding.example/procedures",
    "prevent_contact": "Northshire Prevent team",
    "prevent_phone": "01632 960300",
    "out_of_hours_cover": "David Okafor on 01632 960001, or the headteacher",
    "trips_cover": "The trip leader rings the DSL; Priya Patel covers when David is away",
}
DEMO_POLICY = b"%PDF-1.4\n% Oakwood child protection policy (demo)\ntrailer << >>\n%%EOF\n"


def _arrangements(today) -> None:
    """Oakwood's arrangements and two policies in full; Riverside's only in part, so that
    both "Worried about a child?" and the DSL's to-do show. Once."""
    from cpd.arrangements.services import (
        arrangements_update,
        lead_update,
        policy_confirm,
        policy_publish,
    )
    from cpd.models import Arrangements, PolicyVersion

    oakwood = School.objects.get(slug="oakwood-primary")
    riverside = School.objects.get(slug="riverside-academy")
    if Arrangements.objects.filter(school__in=[oakwood, riverside]).exists():
        return
    dsl = Membership.objects.get(school=oakwood, user__email="dsl@oakwood.test")
    arrangements_update(actor=dsl.user, school=oakwood, **OAKWOOD_ARRANGEMENTS)
    lead_update(membership=dsl, actor=dsl.user, phone="01632 960001",
                where_to_find="The office next to reception")  # fmt: skip
    deputy = Membership.objects.get(school=oakwood, user__email="priya.patel@oakwood.test")
    lead_update(membership=deputy, actor=dsl.user, phone="01632 960002",
                where_to_find="The SEN room, upstairs")  # fmt: skip
    start = date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    policies = [
        policy_publish(
            actor=dsl.user, school=oakwood, kind="child_protection",
            title="Child protection and safeguarding policy", version=str(start.year),
            effective_on=start, pdf=DEMO_POLICY,
        ),
        policy_publish(
            actor=dsl.user, school=oakwood, kind="code_of_conduct", title="Staff code of conduct",
            version=str(start.year), effective_on=start,
            text=(
                "## Our code of conduct\n\nWe keep professional boundaries with pupils, in "
                "person and online. We never contact pupils from personal accounts.\n\n"
                "If you are worried about a colleague's behaviour, tell the headteacher."
            ),
        ),
    ]  # fmt: skip
    for email in ["dsl@oakwood.test", "head@oakwood.test", "teacher@oakwood.test"]:
        member = Membership.objects.get(school=oakwood, user__email=email)
        for version in PolicyVersion.objects.filter(pk__in=[p.pk for p in policies]):
            policy_confirm(version=version, membership=member)

    # Riverside has started: who records concerns and how to reach its DSL, nothing more.
    lead = Membership.objects.get(school=riverside, user__email="dsl@riverside.test")
    arrangements_update(actor=lead.user, school=riverside, recording_system="MyConcern")
    lead_update(membership=lead, actor=lead.user, phone="01632 960500")
