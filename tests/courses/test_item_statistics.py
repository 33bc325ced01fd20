"""Item statistics for content reviewers, computed as Moodle's quiz statistics report does
(facility index, discrimination index), checked against figures worked out by hand."""

import math

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Answer, Attempt
from courses.statistics import discrimination, facility
from cpd.models import TrustRole
from tests.factories import (
    ChoiceFactory,
    CourseVersionFactory,
    EnrolmentFactory,
    MembershipFactory,
    QuestionFactory,
    TrustRoleFactory,
    UserFactory,
)

# Four learners, A to D, answer three questions (Q3 was not served to D). 1 is right.
#
#        Q1  Q2  Q3  total
#   A     1   1   1    3
#   B     1   0   1    2
#   C     0   1   0    1
#   D     0   0   -    0
#
# Q1: marks 1,1,0,0; rest of the attempt (total - mark) 2,1,1,0. Means 1/2 and 1; sample
#     variances 1/3 and 2/3; covariance (1/2*1 + 1/2*0 - 1/2*0 - 1/2*-1)/3 = 1/3.
#     Discrimination = 100 * (1/3) / sqrt(1/3 * 2/3) = 100 / sqrt(2) = 70.71. Facility 50.
# Q2: marks 1,0,1,0; rest 2,2,0,0. Covariance (1/2*1 - 1/2*1 + 1/2*-1 - 1/2*-1)/3 = 0:
#     discrimination 0. Facility 50.
# Q3: marks 1,1,0; rest 2,1,1. Means 2/3 and 4/3; deviations 1/3,1/3,-2/3 and 2/3,-1/3,-1/3;
#     variances (6/9)/2 = 1/3 and 1/3; covariance (2/9 - 1/9 + 2/9)/2 = 1/6.
#     Discrimination = 100 * (1/6) / (1/3) = 50. Facility 2/3 = 66.67.
# Q2's choices: A and C pick the right one (a), B picks b, D picks c.
#     a: picked 1,0,1,0 (= Q2's marks): 50%, discrimination 0.
#     b: picked 0,1,0,0 against rest 2,2,0,0: mean 1/4; variance (3/16 + 9/16)/3 = 1/4;
#        covariance (-1/4*1 + 3/4*1 - 1/4*-1 - 1/4*-1)/3 = 1/3;
#        discrimination = 100 * (1/3) / sqrt(1/4 * 4/3) = 100 / sqrt(3) = 57.74. 25%.
#     c: picked 0,0,0,1: covariance -1/3, so -57.74. 25%.
MARKS = {"A": (1, 1, 1), "B": (1, 0, 1), "C": (0, 1, 0), "D": (0, 0, None)}
Q2_PICKS = {"A": "a", "B": "b", "C": "a", "D": "c"}


def test_facility_and_discrimination_by_hand():
    assert facility([1, 1, 0, 0]) == 50
    assert discrimination([1, 1, 0, 0], [2, 1, 1, 0]) == pytest.approx(100 / math.sqrt(2))
    assert discrimination([1, 0, 1, 0], [2, 2, 0, 0]) == pytest.approx(0)
    assert discrimination([1, 1, 0], [2, 1, 1]) == pytest.approx(50)
    assert discrimination([0, 0, 1, 1], [2, 2, 0, 0]) == pytest.approx(-100)


def test_discrimination_undefined_without_variation_or_a_second_attempt():
    assert discrimination([1], [3]) is None
    assert discrimination([1, 1, 1], [0, 1, 2]) is None
    assert discrimination([1, 0, 1], [2, 2, 2]) is None
    assert facility([]) is None


@pytest.fixture
def version(db):
    version = CourseVersionFactory(course__slug="statistics-course", title="A course to review")
    questions = [
        QuestionFactory(version=version, position=n, prompt=f"Question {n}?", key=f"q{n}")
        for n in (1, 2, 3)
    ]
    for question in questions:
        for letter in "abc":
            ChoiceFactory(question=question, text=letter, is_correct=letter == "a")
    return version


def _answers(version, *, school, learners=MARKS):
    """Submit one attempt per learner with the marks above; each wrong answer picks b,
    except Q2's picks as listed."""
    questions = list(version.questions.order_by("position").prefetch_related("choices"))
    for name, marks in learners.items():
        enrolment = EnrolmentFactory(
            course_version=version, membership=MembershipFactory(school=school)
        )
        served = [(q, m) for q, m in zip(questions, marks, strict=True) if m is not None]
        attempt = Attempt.objects.create(
            enrolment=enrolment,
            number=1,
            served=[],
            started_at=timezone.now(),
            submitted_at=timezone.now(),
            score=0,
            passed=False,
        )
        for question, mark in served:
            answer = Answer.objects.create(attempt=attempt, question=question, correct=bool(mark))
            picks_listed = learners is MARKS and question.position == 2
            letter = Q2_PICKS[name] if picks_listed else ("a" if mark else "b")
            answer.choices.set([c for c in question.choices.all() if c.text == letter])


@pytest.fixture
def reviewer(trust):
    return TrustRoleFactory(trust=trust, role=TrustRole.Role.CONTENT_REVIEWER).user


def test_statistics_page_shows_the_hand_computed_figures(
    version, school, reviewer, sign_in, django_assert_num_queries
):
    _answers(version, school=school)
    client = sign_in(reviewer)
    url = reverse("courses:statistics", args=["statistics-course"])
    # session, user, reviewer's trusts, course, versions, the version, answers, picks,
    # questions, their choices; then the navigation's schools and trusts and the session's
    # save (three statements), as on every signed-in page
    with django_assert_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    stats = response.context["stats"]
    assert stats.attempts == 4
    figures = [
        (q.position, q.attempts, round(q.facility, 2), round(q.discrimination, 2), q.flags)
        for q in stats.questions
    ]
    assert figures == [
        (1, 4, 50.0, 70.71, []),
        (2, 4, 50.0, 0.0, []),
        (3, 3, 66.67, 50.0, []),
    ]
    q2 = stats.questions[1]
    assert [
        (c.text, c.is_correct, c.picked, c.frequency, round(c.discrimination, 2))
        for c in q2.choices
    ] == [("a", True, 2, 50.0, 0.0), ("b", False, 1, 25.0, 57.74), ("c", False, 1, 25.0, -57.74)]
    body = response.content.decode()
    assert "facility 67%" in body
    assert "discrimination 71" in body


def test_statistics_flags_too_easy_too_hard_and_negative(version, school, reviewer, sign_in):
    # Q1 right for everyone, Q3 wrong for everyone, Q2 right only for C and D, who got Q4
    # wrong where A and B got it right.
    extra = QuestionFactory(version=version, position=4, key="q4", prompt="Question 4?")
    ChoiceFactory(question=extra, text="a", is_correct=True)
    learners = {"A": (1, 0, 0, 1), "B": (1, 0, 0, 1), "C": (1, 1, 0, 0), "D": (1, 1, 0, 0)}
    _answers(version, school=school, learners=learners)
    response = sign_in(reviewer).get(reverse("courses:statistics", args=["statistics-course"]))
    flags = {q.position: q.flags for q in response.context["stats"].questions}
    assert flags == {
        1: ["Too easy"],
        2: ["Discriminates negatively"],
        3: ["Too hard"],
        4: ["Discriminates negatively"],
    }


def test_reviewer_sees_only_their_trusts_attempts(version, school, other_school, reviewer, sign_in):
    _answers(version, school=school)
    _answers(version, school=other_school, learners={"E": (0, 0, 0)})
    response = sign_in(reviewer).get(reverse("courses:statistics", args=["statistics-course"]))
    assert response.context["stats"].attempts == 4
    assert [q.attempts for q in response.context["stats"].questions] == [4, 4, 3]


def test_superuser_sees_every_attempt(version, school, other_school, client):
    _answers(version, school=school)
    _answers(version, school=other_school, learners={"E": (0, 0, 0)})
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse("courses:statistics", args=["statistics-course"]))
    assert response.context["stats"].attempts == 5


@pytest.mark.parametrize("role", ["staff", "dsl", "admin"])
def test_statistics_refused_to_school_roles(version, request, role, sign_in):
    client = sign_in(request.getfixturevalue(role))
    assert client.get(reverse("courses:statistics", args=["statistics-course"])).status_code == 403
    assert client.get(reverse("courses:statistics_courses")).status_code == 403


def test_trust_admin_is_not_a_content_reviewer(version, trust, sign_in):
    admin = TrustRoleFactory(trust=trust, role=TrustRole.Role.TRUST_ADMIN).user
    response = sign_in(admin).get(reverse("courses:statistics", args=["statistics-course"]))
    assert response.status_code == 403


def test_unknown_course_or_version_is_404(version, reviewer, sign_in):
    client = sign_in(reviewer)
    assert client.get(reverse("courses:statistics", args=["nothing-here"])).status_code == 404
    url = reverse("courses:statistics", args=["statistics-course"])
    assert client.get(url, {"version": "7"}).status_code == 404
    assert client.get(url, {"version": "1"}).status_code == 200


def test_statistics_list_links_each_course(version, reviewer, sign_in):
    response = sign_in(reviewer).get(reverse("courses:statistics_courses"))
    assert response.status_code == 200
    assert reverse("courses:statistics", args=["statistics-course"]) in response.content.decode()


def test_anonymous_is_sent_to_sign_in(version, client):
    response = client.get(reverse("courses:statistics", args=["statistics-course"]))
    assert response.status_code == 302
