"""People in every role around two schools: ``school`` (in ``trust``) and ``other_school``
(outside it), each with a colleague who has an enrolment, an attempt and a certificate, so
that anything leaking from one school to the other would show."""

from dataclasses import dataclass
from datetime import date

import pytest
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from courses.models import Attempt, Enrolment
from cpd.models import Membership
from tests.api.clients import api_client
from tests.factories import (
    CertificateFactory,
    EnrolmentFactory,
    MembershipFactory,
    RequirementFactory,
    TrustRoleFactory,
    UserFactory,
)


@dataclass
class SchoolData:
    school: object
    colleague: Membership
    enrolment: Enrolment
    attempt: Attempt
    certificate: object


def _school_data(school, email: str) -> SchoolData:
    colleague = MembershipFactory(school=school, user__email=email, started_on=date(2023, 9, 1))
    certificate = CertificateFactory(enrolment__membership=colleague)
    certificate.pdf.save(f"{certificate.serial}.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    enrolment = EnrolmentFactory(membership=colleague)
    attempt = Attempt.objects.create(
        enrolment=enrolment, number=1, served=[], started_at=enrolment.started_at
    )
    return SchoolData(school, colleague, enrolment, attempt, certificate)


@pytest.fixture
def own(school):
    RequirementFactory(name="Annual safeguarding update")
    return _school_data(school, "colleague@oakwood.test")


@pytest.fixture
def other(other_school):
    return _school_data(other_school, "colleague@hillside.test")


@pytest.fixture
def people(school, trust):
    """The user in each role, keyed by the role's name in the tests."""
    return {
        "anonymous": None,
        "staff": MembershipFactory(
            school=school, role=Membership.Role.STAFF, user__email="staff@oakwood.test"
        ).user,
        "dsl": MembershipFactory(
            school=school, role=Membership.Role.DSL, user__email="dsl@oakwood.test"
        ).user,
        "school_admin": MembershipFactory(
            school=school, role=Membership.Role.SCHOOL_ADMIN, user__email="head@oakwood.test"
        ).user,
        "trust_admin": TrustRoleFactory(
            trust=trust, user=UserFactory(email="trust@northfield.test")
        ).user,
    }


@pytest.fixture
def api_as(people):
    """An API client for the role: with a token for the admins, who may hold one, with a
    session for the others (``tests.api.clients``), or anonymous."""

    def _client(role: str) -> APIClient:
        user = people[role]
        return APIClient() if user is None else api_client(user)

    return _client
