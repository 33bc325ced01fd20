from datetime import date

import pytest
from django.core import mail

from courses.content import shipped_course_folders
from courses.services import courses_load
from cpd.models import Membership
from tests.factories import PASSWORD, MembershipFactory, SchoolFactory, TrustFactory


@pytest.fixture
def trust(db):
    return TrustFactory(name="Northfield Learning Trust", slug="northfield")


@pytest.fixture
def school(trust):
    return SchoolFactory(name="Oakwood Primary School", slug="oakwood-primary", trust=trust)


@pytest.fixture
def other_school(db):
    """A second school, outside the first one's trust: its rows must never leak."""
    return SchoolFactory(name="Hillside School", slug="hillside")


@pytest.fixture
def staff(school):
    return MembershipFactory(
        school=school,
        user__first_name="Sarah",
        user__last_name="Thompson",
        user__email="sarah@oakwood.test",
        role=Membership.Role.STAFF,
        started_on=date(2024, 9, 1),
    )


@pytest.fixture
def dsl(school):
    return MembershipFactory(
        school=school,
        user__first_name="David",
        user__last_name="Okafor",
        user__email="david@oakwood.test",
        role=Membership.Role.DSL,
        started_on=date(2020, 9, 1),
    )


@pytest.fixture
def admin(school):
    """The school's admin (its head): may import staff and hold an API token."""
    return MembershipFactory(
        school=school, role=Membership.Role.SCHOOL_ADMIN, user__email="head@oakwood.test"
    )


@pytest.fixture
def media(settings, tmp_path):
    """Stored files in a folder of this test's own, so that it sees only its own files."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def shipped_courses(db):
    """The four shipped courses, loaded through the real loader."""
    return {
        version.course.slug: version
        for version, _ in courses_load(folders=shipped_course_folders())
    }


@pytest.fixture
def induction(db):
    folder = next(f for f in shipped_course_folders() if f.name == "safeguarding-induction")
    [(version, _created)] = courses_load(folders=[folder])
    return version


@pytest.fixture
def sign_in(client):
    def _sign_in(membership_or_user):
        user = getattr(membership_or_user, "user", membership_or_user)
        assert client.login(username=user.email, password=PASSWORD)
        return client

    return _sign_in


@pytest.fixture(autouse=True)
def _empty_outbox():
    mail.outbox = []


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits and the lesson player's versions are in the cache: each test starts
    with none."""
    from django.core.cache import cache

    cache.clear()
