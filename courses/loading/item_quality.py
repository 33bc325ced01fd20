"""How often someone who has read nothing passes a course's knowledge check on surface cues.

A knowledge check that rewards test-taking rather than knowledge certifies nobody. Each
guesser below answers every question by a rule that needs no knowledge of safeguarding:

- *random*: blind guessing, the baseline (one choice at random; for a select-all question,
  one of the non-empty sets of choices at random);
- *longest*: the longest choice; for a select-all question every choice but the shortest;
- *keyword*: the choice that mentions the DSL, the head, 999, the police, a record or a
  report (the longest of them if several do), else the longest choice; for a select-all
  question the choices that mention one, if that leaves at least two ticked and one not,
  else every choice but the shortest;
- *pattern*: the first or the last choice as the learner sees it; for a select-all question
  every choice but one (the first or the last as seen).

Longest and keyword answer every true/false question the same way, "True" or "False";
pattern answers by position. Each guesser takes whichever way its bank rewards most, so its
figure is the best that rule does on that bank. The learner sees choices in the order
``attempt_start`` serves them: single and select-all choices shuffled, so there a position
says nothing and the pattern guesser is blind; true/false as written.

A figure is the exact probability (a fraction, no sampling) that the guesser passes within
the course's ``max_attempts``: each attempt draws ``questions_per_attempt`` questions from
the whole bank at random without replacement, as ``attempt_start`` does, and passes when
``round(100 * right / drawn)`` reaches the pass mark, as ``attempt_submit`` grades it.
"""

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from math import comb, floor

from courses.loading.spec import CourseSpec, QuestionSpec

GUESS_PASS_LIMIT = Fraction(5, 100)
"""A bank that any guesser passes this often or more is guessable."""

SHUFFLED_KINDS = frozenset({"single", "multiple"})
"""Question kinds whose choices ``attempt_start`` shuffles; true/false are served as written."""

CUE = re.compile(
    r"\b(?:dsl|designated safeguarding lead|head|headteacher|head teacher|999|police"
    r"|record|records|recorded|recording|report|reports|reported|reporting)\b",
    re.IGNORECASE,
)

Rule = Callable[[QuestionSpec, str], Fraction]


@dataclass(frozen=True)
class GuesserFigure:
    guesser: str
    way: str
    """Which of the guesser's ways the bank rewarded most: "True" or "False" for longest
    and keyword, "first" or "last" for pattern, "" for random."""
    pass_probability: Fraction

    @property
    def rule(self) -> str:
        return WAYS[self.way]

    @property
    def how(self) -> str:
        """The guesser's rule, in words, as it answered this bank."""
        return HOW[self.guesser, self.way]

    @property
    def percent(self) -> str:
        return percent(self.pass_probability)

    @property
    def guessable(self) -> bool:
        return self.pass_probability >= GUESS_PASS_LIMIT

    def __str__(self) -> str:
        figure = f"{self.guesser} {self.percent}"
        return f"{figure} ({self.rule})" if self.rule else figure


@dataclass(frozen=True)
class BankReport:
    course: str
    """The course folder's name."""
    bank: int
    drawn: int
    pass_mark: int
    max_attempts: int
    figures: tuple[GuesserFigure, ...]

    @property
    def guessable(self) -> tuple[GuesserFigure, ...]:
        return tuple(figure for figure in self.figures if figure.guessable)

    def __str__(self) -> str:
        attempts = "attempt" if self.max_attempts == 1 else "attempts"
        return (
            f"{self.course}: {self.drawn} of {self.bank} questions, pass mark "
            f"{self.pass_mark}%, {self.max_attempts} {attempts}: "
            + ", ".join(str(figure) for figure in self.figures)
        )


def percent(probability: Fraction) -> str:
    """A probability as a percentage to one decimal place, rounded down, so that a figure
    shown as under 5% is under 5%."""
    tenths = floor(probability * 1000)
    if probability and not tenths:
        return "<0.1%"
    return f"{tenths // 10}.{tenths % 10}%"


def bank_report(*, spec: CourseSpec) -> BankReport:
    """Each guesser's chance of passing the course's knowledge check within its attempts."""
    drawn = min(spec.questions_per_attempt, len(spec.questions))
    figures = []
    for name, rule, ways in GUESSERS:
        best = None
        for way in ways:
            chances = [rule(question, way) for question in spec.questions]
            attempt = attempt_pass_probability(
                chances=chances, drawn=drawn, pass_mark=spec.pass_mark
            )
            passes = 1 - (1 - attempt) ** spec.max_attempts
            if best is None or passes > best.pass_probability:
                best = GuesserFigure(name, way, passes)
        figures.append(best)
    return BankReport(
        course=spec.folder.name,
        bank=len(spec.questions),
        drawn=drawn,
        pass_mark=spec.pass_mark,
        max_attempts=spec.max_attempts,
        figures=tuple(figures),
    )


def attempt_pass_probability(*, chances: list[Fraction], drawn: int, pass_mark: int) -> Fraction:
    """The chance of passing one attempt that draws ``drawn`` of the questions at random,
    where ``chances[i]`` is the chance of answering question ``i`` right.

    Questions with the same chance are interchangeable, so the sum runs over how many are
    drawn from each group of them rather than over every set of questions."""
    if not chances or not drawn:
        return Fraction(0)
    # right[j][s]: summed over every set of j questions from the groups so far, the chance
    # of answering exactly s of them right.
    right = [[Fraction(0)] * (drawn + 1) for _ in range(drawn + 1)]
    right[0][0] = Fraction(1)
    for chance, count in sorted(Counter(chances).items()):
        grown = [[Fraction(0)] * (drawn + 1) for _ in range(drawn + 1)]
        for taken in range(min(count, drawn) + 1):
            sets = comb(count, taken)
            scores = [
                sets * comb(taken, r) * chance**r * (1 - chance) ** (taken - r)
                for r in range(taken + 1)
            ]
            for j in range(drawn - taken + 1):
                for s in range(j + 1):
                    if right[j][s]:
                        for r, score in enumerate(scores):
                            grown[j + taken][s + r] += right[j][s] * score
        right = grown
    passing = sum(
        (right[drawn][s] for s in range(drawn + 1) if round(100 * s / drawn) >= pass_mark),
        Fraction(0),
    )
    return passing / comb(len(chances), drawn)


# --------------------------------------------------------------------- answering one question
# Each rule returns the chance that its answer to the question is exactly right.


def _right(question: QuestionSpec) -> frozenset[int]:
    return frozenset(i for i, c in enumerate(question.choices) if c["correct"])


def _one_of(question: QuestionSpec, pool: list[int]) -> Fraction:
    """Choosing one of ``pool`` at random."""
    return Fraction(len(_right(question) & set(pool)), len(pool))


def _all_but_one_of(question: QuestionSpec, pool: list[int]) -> Fraction:
    """Ticking every choice but one of ``pool``, left out at random."""
    wrong = set(range(len(question.choices))) - _right(question)
    if len(wrong) != 1:
        return Fraction(0)
    return Fraction(len(wrong & set(pool)), len(pool))


def _by_length(question: QuestionSpec, pool: list[int], pick) -> list[int]:
    length = pick(len(question.choices[i]["text"]) for i in pool)
    return [i for i in pool if len(question.choices[i]["text"]) == length]


def _always(question: QuestionSpec, answer: str) -> Fraction:
    return Fraction(any(c["text"] == answer and c["correct"] for c in question.choices))


def _everyone(question: QuestionSpec) -> list[int]:
    return list(range(len(question.choices)))


def guess_random(question: QuestionSpec, way: str) -> Fraction:
    if question.kind == "multiple":
        return Fraction(1, 2 ** len(question.choices) - 1)
    return Fraction(1, len(question.choices))


def guess_longest(question: QuestionSpec, way: str) -> Fraction:
    everyone = _everyone(question)
    if question.kind == "true_false":
        return _always(question, way)
    if question.kind == "multiple":
        return _all_but_one_of(question, _by_length(question, everyone, min))
    return _one_of(question, _by_length(question, everyone, max))


def guess_keyword(question: QuestionSpec, way: str) -> Fraction:
    cued = [i for i, c in enumerate(question.choices) if CUE.search(c["text"])]
    if question.kind == "multiple":
        if 2 <= len(cued) < len(question.choices):
            return Fraction(set(cued) == _right(question))
        return guess_longest(question, way)
    if question.kind == "single" and cued:
        return _one_of(question, _by_length(question, cued, max))
    return guess_longest(question, way)


def guess_pattern(question: QuestionSpec, way: str) -> Fraction:
    everyone = _everyone(question)
    if question.kind in SHUFFLED_KINDS:
        seen_at = everyone  # shuffled: any choice may be first or last
    else:
        seen_at = [everyone[0] if way == "first" else everyone[-1]]
    if question.kind == "multiple":
        return _all_but_one_of(question, seen_at)
    return _one_of(question, seen_at)


GUESSERS: tuple[tuple[str, Rule, tuple[str, ...]], ...] = (
    ("random", guess_random, ("",)),
    ("longest", guess_longest, ("True", "False")),
    ("keyword", guess_keyword, ("True", "False")),
    ("pattern", guess_pattern, ("first", "last")),
)
"""Each guesser's name, its rule, and the ways it can take where the rule leaves a choice."""

WAYS = {
    "": "",
    "True": "true/false always True",
    "False": "true/false always False",
    "first": "first choice as seen",
    "last": "last choice as seen",
}
_CUED = "the choice naming the DSL, head, 999, police, a record or report, else the longest"
HOW = {
    ("random", ""): "blind guessing",
    ("longest", "True"): "the longest choice, all but the shortest, always True",
    ("longest", "False"): "the longest choice, all but the shortest, always False",
    ("keyword", "True"): f"{_CUED}, always True",
    ("keyword", "False"): f"{_CUED}, always False",
    ("pattern", "first"): "the first choice as seen, all but one",
    ("pattern", "last"): "the last choice as seen, all but one",
}
