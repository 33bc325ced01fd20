"""One factory per model, with no surprising defaults."""

import secrets
from datetime import date, timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from certificates.models import Certificate
from courses.models import Choice, Course, CourseVersion, Enrolment, Lesson, Module, Question
from cpd.accounts.tokens import KEY_PREFIX, api_key_digest
from cpd.models import ApiToken, Membership, Requirement, School, Trust, TrustRole

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    first_name = factory.Sequence(lambda n: f"Firstname{n}")
    last_name = factory.Sequence(lambda n: f"Lastname{n}")
    email = factory.Sequence(lambda n: f"person{n}@school.test")
    username = factory.SelfAttribute("email")
    password = factory.django.Password(PASSWORD)


class TrustFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trust

    name = factory.Sequence(lambda n: f"Trust {n}")
    slug = factory.Sequence(lambda n: f"trust-{n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"School {n}")
    slug = factory.Sequence(lambda n: f"school-{n}")
    trust = None


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    role = Membership.Role.STAFF
    staff_category = Membership.StaffCategory.TEACHING
    job_title = "Class teacher"
    started_on = date(2024, 9, 1)
    left_on = None
    # What the school calls them: by default what the person calls themselves.
    first_name = factory.SelfAttribute("user.first_name")
    last_name = factory.SelfAttribute("user.last_name")


class TrustRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrustRole

    user = factory.SubFactory(UserFactory)
    trust = factory.SubFactory(TrustFactory)
    role = TrustRole.Role.TRUST_ADMIN


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """A token whose key nobody knows; ``api_key_for`` makes one and returns its key."""

    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Integration {n}")
    key_digest = factory.LazyFunction(lambda: api_key_digest(secrets.token_urlsafe(32)))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=90))


def api_key_for(user, **fields) -> str:
    """A token for ``user`` (made directly, whatever their role), and its key."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    ApiTokenFactory(user=user, key_digest=api_key_digest(key), **fields)
    return key


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    slug = factory.Sequence(lambda n: f"course-{n}")
    title = factory.Sequence(lambda n: f"Course {n}")
    summary = "A course."


class CourseVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseVersion

    course = factory.SubFactory(CourseFactory)
    number = 1
    content_hash = factory.Sequence(lambda n: f"{n:064x}")
    published_at = factory.LazyFunction(timezone.now)
    title = factory.SelfAttribute("course.title")
    reviewed_against = "KCSIE 2025"
    cpd_minutes = 30
    pass_mark = 80
    questions_per_attempt = 2
    max_attempts = 3
    retry_cooldown = timedelta(minutes=30)
    validity_months = 12


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    version = factory.SubFactory(CourseVersionFactory)
    slug = factory.Sequence(lambda n: f"module-{n}")
    title = factory.Sequence(lambda n: f"Module {n}")
    position = factory.Sequence(lambda n: n + 1)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    module = factory.SubFactory(ModuleFactory)
    version = factory.SelfAttribute("module.version")
    slug = factory.Sequence(lambda n: f"lesson-{n}")
    title = factory.Sequence(lambda n: f"Lesson {n}")
    kind = Lesson.Kind.CONTENT
    position = factory.Sequence(lambda n: n + 1)
    body = "Some *text*."
    minutes = 2
    sources = factory.LazyFunction(lambda: [{"title": "KCSIE", "url": "https://www.gov.uk/"}])


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    version = factory.SubFactory(CourseVersionFactory)
    key = factory.Sequence(lambda n: f"question-{n}")
    kind = Question.Kind.SINGLE
    is_scenario = True
    prompt = factory.Sequence(lambda n: f"Question {n}?")
    explanation = "Because."
    position = factory.Sequence(lambda n: n + 1)


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Choice {n}")
    is_correct = False


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    membership = factory.SubFactory(MembershipFactory)
    course_version = factory.SubFactory(CourseVersionFactory)
    status = Enrolment.Status.IN_PROGRESS
    started_at = factory.LazyFunction(timezone.now)


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requirement

    name = factory.Sequence(lambda n: f"Requirement {n}")
    scope = Requirement.Scope.PLATFORM
    course = factory.SubFactory(CourseFactory)
    roles = factory.LazyFunction(list)
    staff_categories = factory.LazyFunction(list)
    renewal_months = 12
    induction_days = None
    due_soon_days = 30


class CertificateFactory(factory.django.DjangoModelFactory):
    """A certificate row as issued; tests that need the real issue path call the service."""

    class Meta:
        model = Certificate

    enrolment = factory.SubFactory(EnrolmentFactory, status=Enrolment.Status.COMPLETED,
                                   completed_at=factory.LazyFunction(timezone.now))  # fmt: skip
    membership = factory.SelfAttribute("enrolment.membership")
    course = factory.SelfAttribute("enrolment.course_version.course")
    serial = factory.Sequence(lambda n: f"CPD-2026-{n + 1:06d}")
    verification_code = factory.Sequence(lambda n: f"code-{n:040d}")
    holder_name = "Sam Example"
    school_name = factory.SelfAttribute("membership.school.name")
    course_title = factory.SelfAttribute("enrolment.course_version.title")
    course_version_number = 1
    reviewed_against = "KCSIE 2025"
    cpd_minutes = 30
    score = 90
    completed_on = date(2026, 1, 15)
    expires_on = date(2027, 1, 15)
    issued_at = factory.LazyFunction(timezone.now)
