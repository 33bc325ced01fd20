"""Questions asked twice and choices offered twice.

Two stems are the same question when they match once case, punctuation, spacing, personal
names and the pronouns that go with them are set aside: "Sam tells you he is scared" and
"Priya tells you she is scared." ask one thing, and a bank holding both lets a learner see
the answer once and recognise it again.

A personal name is told apart without a list of names: it is a capitalised word that the
course never writes in lower case (so "Tell", "Select" or "You" at the start of a sentence
are not names, because the course also writes "tell", "select" and "you"), and not a day,
a month or one of a few words that only ever open sentences.
"""

import re

from courses.loading.questions import question_where
from courses.loading.reader import Reader
from courses.loading.spec import CourseSpec, QuestionSpec

TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")
POSSESSIVE = re.compile(r"['’]s$")
CAPITALISED = re.compile(r"[A-Z][a-z]+")
PRONOUNS = {
    "he", "she", "they", "him", "her", "them", "his", "hers", "their", "theirs",
    "himself", "herself", "themselves", "themself",
}  # fmt: skip
NOT_NAMES = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "true", "false", "select", "which", "what", "who",
    "when", "where", "why", "how", "during", "after", "before", "according", "neither",
    "either", "many", "most", "some", "all", "none", "we", "you", "they", "it", "there",
}  # fmt: skip


def repeats_check(reader: Reader, spec: CourseSpec) -> None:
    names = _personal_names(spec)
    exact_seen: dict[str, str] = {}
    near_seen: dict[str, str] = {}
    for i, question in enumerate(spec.questions):
        where = question_where(i, question.key)
        _check_choices(reader, where, question)
        exact, near = stem_keys(question.prompt, names)
        if not exact:
            continue
        if exact in exact_seen:
            reader.problem(
                "questions.yaml",
                f"{where}.prompt",
                f"duplicate of {exact_seen[exact]}: the same prompt once case, punctuation "
                "and spacing are set aside",
            )
        elif near in near_seen:
            reader.problem(
                "questions.yaml",
                f"{where}.prompt",
                f"near-duplicate of {near_seen[near]}: the prompts differ only in personal "
                "names (and the pronouns that go with them), case, punctuation or spacing",
            )
        else:
            exact_seen[exact] = near_seen[near] = where


def stem_keys(prompt: str, names: set[str]) -> tuple[str, str]:
    """The prompt reduced to its lower-case words, and the same with every personal name
    and third-person pronoun replaced by a placeholder."""
    words = TOKEN.findall(prompt)
    exact = " ".join(word.lower() for word in words)
    near = []
    for word in words:
        base = POSSESSIVE.sub("", word)
        if base in names:
            near.append("<name>" + word[len(base) :].replace("’", "'"))
        elif word.lower() in PRONOUNS:
            near.append("<pronoun>")
        else:
            near.append(word.lower())
    return exact, " ".join(near)


def _personal_names(spec: CourseSpec) -> set[str]:
    texts = [q.prompt for q in spec.questions]
    texts += [q.explanation for q in spec.questions]
    texts += [c["text"] for q in spec.questions for c in q.choices]
    for module in spec.modules:
        for lesson in module.lessons:
            texts += [lesson.title, lesson.body, lesson.prompt, lesson.statement]
            texts += [c["text"] for c in lesson.choices]
    lower, capitalised = set(), set()
    for text in texts:
        for word in TOKEN.findall(text):
            base = POSSESSIVE.sub("", word)
            if base[:1].islower():
                lower.add(base.lower())
            elif CAPITALISED.fullmatch(base):
                capitalised.add(base)
    return {w for w in capitalised if w.lower() not in lower and w.lower() not in NOT_NAMES}


def _check_choices(reader: Reader, where: str, question: QuestionSpec) -> None:
    seen: dict[str, int] = {}
    for j, choice in enumerate(question.choices):
        key = " ".join(word.lower() for word in TOKEN.findall(choice["text"]))
        if not key:
            continue
        if key in seen:
            reader.problem(
                "questions.yaml",
                f"{where}.choices[{j}]",
                f"repeats choices[{seen[key]}] ({question.choices[seen[key]]['text']!r}); "
                "each choice must say something different",
            )
        else:
            seen[key] = j
