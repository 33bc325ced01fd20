"""Reading questions.yaml, the course's knowledge-check bank, and checking its size and
spread over the modules."""

from courses.loading.lessons import refuse_placeholders
from courses.loading.reader import Reader, as_text, kind_of
from courses.loading.spec import QUESTION_KINDS, CourseSpec, QuestionSpec

QUESTION_KEYS = {"id", "module", "kind", "scenario", "prompt", "choices", "explanation"}


def questions_read(reader: Reader, module_slugs: set[str]) -> list[QuestionSpec]:
    f = "questions.yaml"
    raw = reader.load_yaml(f)
    if raw is None:
        return []
    # A question is the same for every school: no school's value may appear in one.
    refuse_placeholders(reader, f, reader.read_text(f) or "", first_line=1, where="a question")
    raw = reader.mapping(f, "", raw, {"questions"}, {"questions"})
    if raw is None:
        return []
    items = raw.get("questions")
    if not isinstance(items, list) or not items:
        reader.problem(f, "questions", "expected a non-empty list of questions")
        return []
    questions, seen = [], set()
    for i, item in enumerate(items):
        where = question_where(i, item.get("id") if isinstance(item, dict) else None)
        item = reader.mapping(f, where, item, QUESTION_KEYS, QUESTION_KEYS)
        if item is None:
            continue
        key = reader.slug(f, f"{where}.id", item.get("id"))
        if key and key in seen:
            reader.problem(f, f"{where}.id", f"duplicate question id {key!r}")
        seen.add(key)
        module = item.get("module")
        if not isinstance(module, str):
            reader.problem(f, f"{where}.module", f"expected a module slug, found {kind_of(module)}")
        elif module not in module_slugs:
            reader.problem(f, f"{where}.module", f"no module with slug {module!r} in course.yaml")
        kind = item.get("kind")
        if kind not in QUESTION_KINDS:
            reader.problem(
                f, f"{where}.kind", f"must be one of {', '.join(QUESTION_KINDS)}, found {kind!r}"
            )
        choices = _read_question_choices(reader, f, where, kind, item.get("choices"))
        prompt = reader.text(f, f"{where}.prompt", item.get("prompt"))
        if kind == "multiple" and prompt and "select all that apply" not in prompt.lower():
            reader.problem(
                f, f"{where}.prompt", "a multiple-answer question must say 'Select all that apply'"
            )
        questions.append(
            QuestionSpec(
                key=key,
                module=module if isinstance(module, str) else "",
                kind=kind if kind in QUESTION_KINDS else "single",
                scenario=reader.boolean(f, f"{where}.scenario", item.get("scenario")),
                prompt=prompt,
                choices=choices,
                explanation=reader.text(f, f"{where}.explanation", item.get("explanation")),
            )
        )
    return questions


def question_where(index: int, key) -> str:
    """Where a question is in questions.yaml: its place in the list, and its id if it has one."""
    if isinstance(key, str) and key.strip():
        return f"questions[{index}] ({key.strip()})"
    return f"questions[{index}]"


def _read_question_choices(reader: Reader, f: str, where: str, kind, raw) -> list[dict]:
    if not isinstance(raw, list):
        reader.problem(f, f"{where}.choices", "expected a list of choices")
        return []
    choices = []
    for i, item in enumerate(raw):
        cwhere = f"{where}.choices[{i}]"
        item = reader.mapping(f, cwhere, item, {"text", "correct", "feedback"}, {"text", "correct"})
        if item is None:
            continue
        feedback = item.get("feedback", "")
        choices.append(
            {
                "text": reader.text(f, f"{cwhere}.text", as_text(item.get("text"))),
                "correct": reader.boolean(f, f"{cwhere}.correct", item.get("correct")),
                "feedback": reader.text(f, f"{cwhere}.feedback", feedback, blank=True),
            }
        )
    correct = sum(c["correct"] for c in choices)
    where_c = f"{where}.choices"
    if kind == "single":
        if len(choices) < 3:
            reader.problem(
                f,
                where_c,
                f"a single-answer question needs at least 3 choices, found {len(choices)}",
            )
        if correct != 1:
            reader.problem(
                f,
                where_c,
                f"a single-answer question needs exactly one correct choice, found {correct}",
            )
    elif kind == "multiple":
        if len(choices) < 4:
            reader.problem(
                f,
                where_c,
                f"a multiple-answer question needs at least 4 choices, found {len(choices)}",
            )
        if correct < 2 or correct == len(choices):
            reader.problem(
                f,
                where_c,
                "a multiple-answer question needs at least two correct and one incorrect choice, "
                f"found {correct} correct of {len(choices)}",
            )
    elif kind == "true_false":
        texts = sorted(c["text"] for c in choices)
        if texts != ["False", "True"]:
            reader.problem(
                f, where_c, "a true/false question needs exactly the choices True and False"
            )
        if correct != 1:
            reader.problem(
                f,
                where_c,
                f"a true/false question needs exactly one correct choice, found {correct}",
            )
    return choices


def bank_check(reader: Reader, spec: CourseSpec) -> None:
    """The bank is big enough to vary between attempts, mostly scenarios, and every module
    has questions that can be drawn."""
    bank = len(spec.questions)
    if not bank:
        return
    needed = 3 * spec.questions_per_attempt
    if bank < needed:
        reader.problem(
            "questions.yaml",
            "questions",
            f"the bank holds {bank} questions; at least {needed} "
            "(3 x questions_per_attempt) are needed",
        )
    scenario = sum(q.scenario for q in spec.questions)
    if 2 * scenario < bank:
        reader.problem(
            "questions.yaml",
            "questions",
            f"{scenario} of {bank} questions are scenarios; at least half must be",
        )
    asked = {q.module for q in spec.questions}
    for module in spec.modules:
        if module.slug and module.slug not in asked:
            reader.problem(
                "questions.yaml",
                "questions",
                f"module {module.slug!r} has no questions, so the knowledge check never asks "
                "about it; add at least one",
            )
