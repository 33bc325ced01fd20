"""No answer key in the page: the values a knowledge check's choices carry are drawn at
random per attempt, and a scenario's responses carry values of each enrolment's own.

The statistical test serves attempts of every shipped course through the real services
with a seeded random source, and compares learners who pick by value order (lowest,
highest, first in the markup) with blind guessing. Every picker is told how many choices
are right (stronger than a real guesser): if the values and the markup order say nothing
about correctness, each picker's set is a uniformly random set of that size, right with
probability 1 / C(n, k), exactly as a blind guess. The test bounds their hits and passes
by that and shows that the same bound catches the old serving, where values were ids in
the order the bank was written."""

import importlib
import math
import pkgutil
import random
from collections import Counter

import pytest
from django.apps import apps
from django.utils import timezone

import courses.migrations
from courses import review
from courses.forms import AttemptForm
from courses.models import Attempt, Choice, Enrolment, LessonProgress, ScenarioChoice
from courses.services import attempt_start, attempt_submit
from courses.services.assessment import served_values
from cpd.models import Membership
from tests.courses.test_assessment import answers_for, build_course, ready_enrolment
from tests.factories import EnrolmentFactory, LessonFactory, MembershipFactory, ModuleFactory

ATTEMPTS_PER_COURSE = 48  # a quarter submitted by each picker
pytestmark = pytest.mark.django_db

STRATEGIES = ("lowest value", "highest value", "first in the markup", "blind guess")


def _ready_learners(version, school, count: int) -> list[Enrolment]:
    """``count`` learners of ``school`` enrolled on ``version`` with every lesson done."""
    memberships = [
        MembershipFactory(school=school, role=Membership.Role.STAFF) for _ in range(count)
    ]
    now = timezone.now()
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(membership=m, course_version=version, started_at=now) for m in memberships
    )
    lessons = list(version.lessons.all())
    LessonProgress.objects.bulk_create(
        LessonProgress(enrolment=e, lesson=lesson, started_at=now, completed_at=now)
        for e in enrolments
        for lesson in lessons
    )
    return enrolments


def _pick(strategy: str, offered: list[str], k: int, rng: random.Random) -> list[str]:
    """``k`` of the ``offered`` values (in markup order), as the strategy picks them."""
    if strategy == "lowest value":
        return sorted(offered)[:k]
    if strategy == "highest value":
        return sorted(offered)[-k:]
    if strategy == "first in the markup":
        return offered[:k]
    return rng.sample(offered, k)


def _served_questions(attempt: Attempt, values_of=None):
    """Each served question as the page offers it: (question id, values in markup order,
    the values of its correct choices). ``values_of(item)`` replaces the served values
    (to reproduce an older serving)."""
    form = AttemptForm(questions=review.attempt_review(attempt=attempt).questions)
    correct_ids = set(
        Choice.objects.filter(
            question_id__in=[item["question"] for item in attempt.served], is_correct=True
        ).values_list("pk", flat=True)
    )
    for (question, name), item in zip(form.questions, attempt.served, strict=True):
        assert question.pk == item["question"]
        offered = [value for value, _text in form.fields[name].choices]
        assert offered == item["values"]
        if values_of is not None:
            offered = values_of(item)
        right = [
            value for pk, value in zip(item["choices"], offered, strict=True) if pk in correct_ids
        ]
        yield question.pk, offered, right


def _pass_probability(chances: list[float], needed: int) -> float:
    """The chance of at least ``needed`` right answers, each right with its own chance."""
    counts = [1.0]
    for p in chances:
        counts = [
            (counts[i] if i < len(counts) else 0) * (1 - p) + (counts[i - 1] * p if i else 0)
            for i in range(len(counts) + 1)
        ]
    return sum(counts[needed:])


class Tally:
    """Hits against what blind guessing expects, and the bound they must stay within."""

    def __init__(self):
        self.hits, self.expected, self.variance, self.questions = Counter(), 0.0, 0.0, 0

    def add(self, chance: float, picks: dict[str, bool]) -> None:
        self.questions += 1
        self.expected += chance
        self.variance += chance * (1 - chance)
        for strategy, hit in picks.items():
            self.hits[strategy] += hit

    @property
    def bound(self) -> float:
        """Four standard deviations above blind guessing's mean: a picker whose choices
        are as random as a guess passes it but for about one run in 30,000."""
        return self.expected + 4 * math.sqrt(self.variance)


def _tally(attempts, rng, values_of=None) -> Tally:
    tally = Tally()
    for attempt in attempts:
        for _question, offered, right in _served_questions(attempt, values_of):
            k = len(right)
            tally.add(
                1 / math.comb(len(offered), k),
                {s: set(_pick(s, offered, k, rng)) == set(right) for s in STRATEGIES},
            )
    return tally


def test_value_order_pickers_do_no_better_than_blind_guessing_over_every_shipped_bank(
    shipped_courses, school, capsys
):
    serve_rng, pick_rng = random.Random(1616), random.Random(61)
    passes = dict.fromkeys(STRATEGIES, 0)
    submitted = dict.fromkeys(STRATEGIES, 0)
    expected_passes = dict.fromkeys(STRATEGIES, 0.0)
    variance_passes = dict.fromkeys(STRATEGIES, 0.0)
    attempts = []
    for version in shipped_courses.values():
        for n, enrolment in enumerate(_ready_learners(version, school, ATTEMPTS_PER_COURSE)):
            attempt = attempt_start(enrolment=enrolment, rng=serve_rng)
            attempts.append(attempt)
            strategy = STRATEGIES[n % len(STRATEGIES)]
            answers, chances = {}, []
            for question, offered, right in _served_questions(attempt):
                answers[question] = _pick(strategy, offered, len(right), pick_rng)
                chances.append(1 / math.comb(len(offered), len(right)))
            needed = next(
                c
                for c in range(len(chances) + 1)
                if round(100 * c / len(chances)) >= version.pass_mark
            )
            p = _pass_probability(chances, needed)
            expected_passes[strategy] += p
            variance_passes[strategy] += p * (1 - p)
            result = attempt_submit(attempt=attempt, answers=answers)
            submitted[strategy] += 1
            passes[strategy] += result.passed

    tally = _tally(attempts, pick_rng)
    with capsys.disabled():
        print(
            f"\nOpaque choices: {len(attempts)} attempts over {len(shipped_courses)} shipped "
            f"courses, {tally.questions} questions served; right answers by picker "
            f"(blind guessing expects {tally.expected:.0f}, bound {tally.bound:.0f}): "
            + ", ".join(f"{s} {tally.hits[s]}" for s in STRATEGIES)
            + "; passes: "
            + ", ".join(
                f"{s} {passes[s]}/{submitted[s]} (guessing expects {expected_passes[s]:.2f})"
                for s in STRATEGIES
            )
        )
    assert tally.questions == sum(len(a.served) for a in attempts)
    assert tally.questions == ATTEMPTS_PER_COURSE * sum(
        v.questions_per_attempt for v in shipped_courses.values()
    )
    for strategy in STRATEGIES:
        assert tally.hits[strategy] <= tally.bound, strategy
        bound = expected_passes[strategy] + 4 * math.sqrt(variance_passes[strategy]) + 1
        assert passes[strategy] <= bound, strategy
        assert submitted[strategy] == ATTEMPTS_PER_COURSE

    # The same test catches the old serving: each choice's value its id, which follows
    # the order the bank was written in.
    old = _tally(
        attempts, random.Random(61), values_of=lambda item: list(map(str, item["choices"]))
    )
    with capsys.disabled():
        print(
            "Old id-based serving, the same attempts: "
            + ", ".join(f"{s} {old.hits[s]}" for s in STRATEGIES)
            + f" right (bound {old.bound:.0f})"
        )
    assert old.hits["lowest value"] > old.bound
    assert old.hits["first in the markup"] <= old.bound  # the markup order was shuffled


def test_the_same_attempt_content_is_served_to_two_learners_under_different_values(client, sign_in):
    version = build_course(bank=2, per_attempt=3)  # and one several-answer question
    first, second = ready_enrolment(version), ready_enrolment(version)
    mine, theirs = attempt_start(enrolment=first), attempt_start(enrolment=second)
    assert {item["question"] for item in mine.served} == {
        item["question"] for item in theirs.served
    }
    pages = []
    for attempt in (mine, theirs):
        client.logout()
        sign_in(attempt.enrolment.membership)
        page = client.get(f"/courses/{version.course.slug}/check/1/")
        pages.append(
            {
                q.pk: [value for value, _text in page.context["form"].fields[name].choices]
                for q, name in page.context["form"].questions
            }
        )
        html = page.content.decode()
        for item in attempt.served:
            for value in item["values"]:
                assert f'value="{value}"' in html
            for pk in item["choices"]:
                assert f'value="{pk}"' not in html
    assert set(pages[0]) == set(pages[1])
    for question in pages[0]:
        assert len(pages[0][question]) == len(pages[1][question])
        assert set(pages[0][question]).isdisjoint(pages[1][question])
    # The API serves the same values as the page.
    client.logout()
    api = sign_in(first.membership).get(f"/api/v1/attempts/{mine.pk}/").json()
    assert {q["id"]: [c["value"] for c in q["choices"]] for q in api["questions"]} == pages[0]


def test_an_id_sent_instead_of_a_served_value_is_refused_and_nothing_saved():
    attempt = attempt_start(enrolment=ready_enrolment(build_course(bank=3, per_attempt=3)))
    answers = {item["question"]: [str(item["choices"][0])] for item in attempt.served}
    with pytest.raises(Exception, match="^Choose from the answers offered for each question.$"):
        attempt_submit(attempt=attempt, answers=answers)
    attempt.refresh_from_db()
    assert (attempt.submitted_at, attempt.answers.count()) == (None, 0)


def test_served_values_are_distinct_fixed_width_and_follow_the_random_source():
    values = served_values(random.Random(7), [11, 12, 13, 14])
    assert values == served_values(random.Random(7), [11, 12, 13, 14])
    assert len(set(values)) == 4
    assert all(len(v) == 8 and int(v, 16) >= 0 for v in values)
    assert values != served_values(random.Random(8), [11, 12, 13, 14])


def test_an_attempt_stored_before_values_gains_them_and_still_grades_and_shows():
    """The data migration: attempts stored with choice ids only get random values; a
    submitted one shows its review as before, an open one grades under its new values."""
    version = build_course(bank=3, per_attempt=3)
    done = attempt_start(enrolment=ready_enrolment(version))
    done = attempt_submit(attempt=done, answers=answers_for(done, correct=True))
    open_attempt = attempt_start(enrolment=ready_enrolment(version))
    for attempt in (done, open_attempt):
        old = [{"question": i["question"], "choices": i["choices"]} for i in attempt.served]
        Attempt.objects.filter(pk=attempt.pk).update(served=old)

    # Found by its name, whatever number it is given.
    [name] = [
        m.name
        for m in pkgutil.iter_modules(courses.migrations.__path__)
        if m.name.endswith("_attempt_choice_values")
    ]
    migration = importlib.import_module(f"courses.migrations.{name}")
    migration.add_values(apps, None)

    for attempt in (done, open_attempt):
        attempt.refresh_from_db()
        for item in attempt.served:
            assert len(item["values"]) == len(set(item["values"])) == len(item["choices"])
    shown = review.attempt_review(attempt=done)
    assert [c for item in shown.review for c, chosen in item.choices if chosen] == [
        c for item in shown.review for c, _chosen in item.choices if c.is_correct
    ]
    assert (done.score, done.passed) == (100, True)
    graded = attempt_submit(attempt=open_attempt, answers=answers_for(open_attempt, correct=True))
    assert (graded.score, graded.passed) == (100, True)
    # A second run changes nothing.
    before = Attempt.objects.get(pk=done.pk).served
    migration.add_values(apps, None)
    assert Attempt.objects.get(pk=done.pk).served == before


@pytest.mark.django_db
def test_scenario_responses_carry_values_of_each_enrolments_own(client, sign_in):
    version = build_course(bank=0, per_attempt=1)
    lesson = LessonFactory(module=ModuleFactory(version=version), kind="scenario")
    responses = [
        ScenarioChoice.objects.create(
            lesson=lesson, position=n, text=f"Response {n}", feedback=f"Why {n}", is_best=n == 0
        )
        for n in range(4)
    ]
    one, two = (EnrolmentFactory(course_version=version) for _ in range(2))
    offered = {}
    for enrolment in (one, two):
        client.logout()
        sign_in(enrolment.membership)
        page = client.get(f"/courses/{version.course.slug}/lessons/{lesson.slug}/")
        offered[enrolment.pk] = page.context["scenario_form"].fields["choice"].choices
        html = page.content.decode()
        for response in responses:
            assert f'value="{response.pk}"' not in html
    values = {pk: [v for v, _t in choices] for pk, choices in offered.items()}
    assert set(values[one.pk]).isdisjoint(values[two.pk])
    # In the order of the values, not the order the responses were written in.
    assert values[one.pk] == sorted(values[one.pk])
    # The API lists the same values, and takes them.
    client.logout()
    api = sign_in(one.membership)
    [entry] = [
        e
        for e in api.get(f"/api/v1/enrolments/{one.pk}/").json()["lessons"]
        if e["slug"] == lesson.slug
    ]
    assert [(c["value"], c["text"]) for c in entry["choices"]] == offered[one.pk]
    best = next(v for v, text in offered[one.pk] if text == "Response 0")
    response = api.post(
        f"/api/v1/enrolments/{one.pk}/lessons/", {"lesson": lesson.slug, "choice": best}
    )
    assert response.status_code == 200
    assert LessonProgress.objects.get(enrolment=one, lesson=lesson).scenario_choice == responses[0]
    # Another enrolment's value for the same response is refused.
    other = next(v for v, text in offered[two.pk] if text == "Response 0")
    refused = client.post(
        f"/api/v1/enrolments/{one.pk}/lessons/", {"lesson": lesson.slug, "choice": other}
    )
    assert refused.status_code == 400
