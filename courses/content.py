"""Reading and validating course content folders (see content/FORMAT.md).

``course_spec_read(folder)`` returns a validated ``CourseSpec`` or raises ``ContentError``
listing every problem found, each naming the file, the key or line, and what is wrong.
Nothing here touches the database; ``services.course_load`` writes a validated spec.
"""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Any HTML tag, but not a Markdown autolink such as <https://www.gov.uk/>.
HTML_TAG = re.compile(r"<\s*/?\s*(?!https?://|mailto:)([a-zA-Z][a-zA-Z0-9-]*)[^>]*>")
IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
FRONT_MATTER = re.compile(r"\A---\s*\n(?P<meta>.*?)\n---\s*\n(?P<body>.*)\Z", re.DOTALL)
WORD = re.compile(r"[A-Za-z0-9’']+")

LESSON_KINDS = ("content", "scenario", "acknowledgement")
QUESTION_KINDS = ("single", "multiple", "true_false")
CALLOUTS = {"key-point", "what-to-do"}


@dataclass(frozen=True)
class Problem:
    file: str
    where: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.where}: {self.message}"
            if self.where
            else (f"{self.file}: {self.message}")
        )


class ContentError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class LessonSpec:
    file: str
    slug: str
    title: str
    kind: str
    body: str
    sources: list[dict]
    minutes: int | None = None
    prompt: str = ""
    choices: list[dict] = field(default_factory=list)
    document: str = ""
    document_version: str = ""
    statement: str = ""

    @property
    def words(self) -> int:
        text = " ".join([self.body, self.prompt, *(c["text"] for c in self.choices)])
        return len(WORD.findall(text))


@dataclass
class ModuleSpec:
    slug: str
    title: str
    lessons: list[LessonSpec]


@dataclass
class QuestionSpec:
    key: str
    module: str
    kind: str
    scenario: bool
    prompt: str
    choices: list[dict]
    explanation: str


@dataclass
class CourseSpec:
    folder: Path
    content_hash: str
    slug: str
    title: str
    summary: str
    audience: list[str]
    objectives: list[str]
    reviewed_against: str
    cpd_minutes: int
    pass_mark: int
    questions_per_attempt: int
    max_attempts: int
    retry_cooldown_minutes: int
    validity_months: int | None
    reveal_answers: bool
    modules: list[ModuleSpec]
    questions: list[QuestionSpec]

    @property
    def word_count(self) -> int:
        return sum(lesson.words for module in self.modules for lesson in module.lessons)


def content_hash(folder: Path) -> str:
    """SHA-256 over every file's relative path and bytes, in a stable order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


class _Reader:
    """Collects problems while reading one course folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.problems: list[Problem] = []
        # (file, where) of required keys already reported missing: any further complaint
        # about the same key ("expected text, found nothing") would only repeat it.
        self.missing: set[tuple[str, str]] = set()

    def problem(self, file: str, where: str, message: str) -> None:
        if (file, where) in self.missing:
            return
        self.problems.append(Problem(f"{self.folder.name}/{file}", where, message))

    def read_text(self, file: str) -> str | None:
        try:
            return (self.folder / file).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.problem(file, "", "is not UTF-8 text; save it as UTF-8")
            return None

    def load_yaml(self, file: str, text: str | None = None, *, lines_before: int = 0):
        """Parse YAML, reporting a syntax error with its line in the file: ``lines_before``
        is how many lines of the file come before ``text`` (front matter starts on line 2)."""
        path = self.folder / file
        if text is None:
            if not path.is_file():
                self.problem(file, "", "file is missing")
                return None
            text = self.read_text(file)
            if text is None:
                return None
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {lines_before + mark.line + 1}" if mark else ""
            reason = getattr(exc, "problem", None) or str(exc)
            self.problem(file, where, f"invalid YAML: {reason}")
            return None

    def mapping(self, file: str, where: str, value, allowed: set[str], required: set[str]):
        if not isinstance(value, dict):
            self.problem(file, where, f"expected a mapping, found {_kind(value)}")
            return None
        for key in sorted(required - value.keys()):
            self.problem(file, _join(where, key), "required key is missing")
            self.missing.add((file, _join(where, key)))
        for key in sorted(value.keys() - allowed, key=str):
            self.problem(file, _join(where, str(key)), "unknown key")
        return value

    def text(self, file: str, where: str, value, *, blank: bool = False) -> str:
        if not isinstance(value, str):
            self.problem(file, where, f"expected text, found {_kind(value)}")
            return ""
        if not blank and not value.strip():
            self.problem(file, where, "must not be empty")
        return value.strip()

    def integer(self, file: str, where: str, value, *, low: int, high: int | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(file, where, f"expected a whole number, found {_kind(value)}")
            return low
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            self.problem(file, where, f"must be {bounds}, found {value}")
        return value

    def boolean(self, file: str, where: str, value) -> bool:
        if not isinstance(value, bool):
            self.problem(file, where, f"expected true or false, found {_kind(value)}")
            return False
        return value

    def text_list(self, file: str, where: str, value) -> list[str]:
        if not isinstance(value, list) or not value:
            self.problem(file, where, "expected a non-empty list of text")
            return []
        return [self.text(file, f"{where}[{i}]", item) for i, item in enumerate(value)]

    def slug(self, file: str, where: str, value) -> str:
        value = self.text(file, where, value)
        if value and not SLUG.match(value):
            self.problem(file, where, f"{value!r} is not a slug (lower-case letters, digits, -)")
        return value


def _kind(value) -> str:
    return {
        type(None): "nothing",
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


COURSE_KEYS = {
    "slug", "title", "summary", "audience", "objectives", "reviewed_against", "cpd_minutes",
    "pass_mark", "questions_per_attempt", "max_attempts", "retry_cooldown_minutes",
    "validity_months", "reveal_answers", "modules",
}  # fmt: skip
LESSON_KEYS = {"title", "kind", "minutes", "sources"}
SCENARIO_KEYS = {"prompt", "choices"}
ACKNOWLEDGEMENT_KEYS = {"document", "document_version", "statement"}
QUESTION_KEYS = {"id", "module", "kind", "scenario", "prompt", "choices", "explanation"}


def course_spec_read(folder: Path | str) -> CourseSpec:
    folder = Path(folder)
    reader = _Reader(folder)
    if not folder.is_dir():
        raise ContentError([Problem(str(folder), "", "course folder not found")])
    raw = reader.load_yaml("course.yaml")
    if raw is None:
        raise ContentError(reader.problems)
    course = reader.mapping("course.yaml", "", raw, COURSE_KEYS, COURSE_KEYS)
    if course is None:
        raise ContentError(reader.problems)

    f = "course.yaml"
    slug = reader.slug(f, "slug", course.get("slug"))
    if slug and slug != folder.name:
        reader.problem(f, "slug", f"must match the folder name {folder.name!r}, found {slug!r}")
    validity = course.get("validity_months")
    spec = CourseSpec(
        folder=folder,
        content_hash=content_hash(folder),
        slug=slug,
        title=reader.text(f, "title", course.get("title")),
        summary=reader.text(f, "summary", course.get("summary")),
        audience=reader.text_list(f, "audience", course.get("audience")),
        objectives=reader.text_list(f, "objectives", course.get("objectives")),
        reviewed_against=reader.text(f, "reviewed_against", course.get("reviewed_against")),
        cpd_minutes=reader.integer(f, "cpd_minutes", course.get("cpd_minutes"), low=1),
        pass_mark=reader.integer(f, "pass_mark", course.get("pass_mark"), low=1, high=100),
        questions_per_attempt=reader.integer(
            f, "questions_per_attempt", course.get("questions_per_attempt"), low=1
        ),
        max_attempts=reader.integer(f, "max_attempts", course.get("max_attempts"), low=1),
        retry_cooldown_minutes=reader.integer(
            f, "retry_cooldown_minutes", course.get("retry_cooldown_minutes"), low=0
        ),
        validity_months=None
        if validity is None
        else reader.integer(f, "validity_months", validity, low=1),
        reveal_answers=reader.boolean(f, "reveal_answers", course.get("reveal_answers")),
        modules=_read_modules(reader, course.get("modules")),
        questions=[],
    )
    module_slugs = {m.slug for m in spec.modules}
    spec.questions = _read_questions(reader, module_slugs)
    _check_bank(reader, spec)
    if reader.problems:
        raise ContentError(reader.problems)
    return spec


def _read_modules(reader: _Reader, raw) -> list[ModuleSpec]:
    f = "course.yaml"
    if not isinstance(raw, list) or not raw:
        reader.problem(f, "modules", "expected a non-empty list of modules")
        return []
    modules, seen_modules, seen_files, seen_lessons = [], set(), set(), set()
    for i, item in enumerate(raw):
        where = f"modules[{i}]"
        item = reader.mapping(
            f, where, item, {"slug", "title", "lessons"}, {"slug", "title", "lessons"}
        )
        if item is None:
            continue
        slug = reader.slug(f, f"{where}.slug", item.get("slug"))
        if slug in seen_modules:
            reader.problem(f, f"{where}.slug", f"duplicate module slug {slug!r}")
        seen_modules.add(slug)
        files = item.get("lessons")
        if not isinstance(files, list) or not files:
            reader.problem(f, f"{where}.lessons", "expected a non-empty list of lesson files")
            files = []
        lessons = []
        for j, name in enumerate(files):
            lwhere = f"{where}.lessons[{j}]"
            if not isinstance(name, str) or not name.endswith(".md") or "/" in name:
                reader.problem(f, lwhere, f"expected a lesson file name ending .md, found {name!r}")
                continue
            if name in seen_files:
                reader.problem(f, lwhere, f"lesson {name!r} is listed more than once")
                continue
            seen_files.add(name)
            if not (reader.folder / "lessons" / name).is_file():
                reader.problem(f, lwhere, f"lesson file lessons/{name} does not exist")
                continue
            lesson = _read_lesson(reader, name)
            if lesson is None:
                continue
            if lesson.slug in seen_lessons:
                reader.problem(f, lwhere, f"duplicate lesson slug {lesson.slug!r}")
            seen_lessons.add(lesson.slug)
            lessons.append(lesson)
        modules.append(
            ModuleSpec(
                slug=slug,
                title=reader.text(f, f"{where}.title", item.get("title")),
                lessons=lessons,
            )
        )
    lesson_dir = reader.folder / "lessons"
    if lesson_dir.is_dir():
        for path in sorted(lesson_dir.glob("*.md")):
            if path.name not in seen_files:
                reader.problem(
                    f"lessons/{path.name}", "", "lesson file is not listed in course.yaml"
                )
    return modules


def _read_lesson(reader: _Reader, name: str) -> LessonSpec | None:
    f = f"lessons/{name}"
    text = reader.read_text(f)
    if text is None:
        return None
    match = FRONT_MATTER.match(text)
    if not match:
        reader.problem(f, "line 1", "expected front matter between two '---' lines")
        return None
    meta = reader.load_yaml(f, match["meta"], lines_before=text[: match.start("meta")].count("\n"))
    if meta is None and not any(p.file.endswith(f) for p in reader.problems):
        reader.problem(f, "front matter", "is empty")
    if meta is None:
        return None
    if not isinstance(meta, dict):
        reader.problem(f, "front matter", f"expected a mapping, found {_kind(meta)}")
        return None
    kind = meta.get("kind")
    allowed = set(LESSON_KEYS)
    required = {"title", "kind", "sources"}
    if kind == "scenario":
        allowed |= SCENARIO_KEYS
        required |= SCENARIO_KEYS
    elif kind == "acknowledgement":
        allowed |= ACKNOWLEDGEMENT_KEYS
        required |= ACKNOWLEDGEMENT_KEYS
    reader.mapping(f, "", meta, allowed, required)
    if kind not in LESSON_KINDS:
        reader.problem(f, "kind", f"must be one of {', '.join(LESSON_KINDS)}, found {kind!r}")
    body = match["body"]
    body_start = text[: match.start("body")].count("\n") + 1
    _check_body(reader, f, body, body_start)
    stem = name[:-3]
    slug = re.sub(r"^\d+-", "", stem)
    if not SLUG.match(slug):
        reader.problem(
            f, "", f"file name must be a slug such as 01-what-grooming-is.md, found {name!r}"
        )
    lesson = LessonSpec(
        file=name,
        slug=slug,
        title=reader.text(f, "title", meta.get("title")),
        kind=kind if kind in LESSON_KINDS else "content",
        body=body.strip(),
        sources=_read_sources(reader, f, meta.get("sources")),
        minutes=None
        if meta.get("minutes") is None
        else reader.integer(f, "minutes", meta.get("minutes"), low=1),
    )
    if kind == "scenario":
        lesson.prompt = reader.text(f, "prompt", meta.get("prompt"))
        lesson.choices = _read_scenario_choices(reader, f, meta.get("choices"))
    elif kind == "acknowledgement":
        lesson.document = reader.text(f, "document", meta.get("document"))
        lesson.document_version = reader.text(
            f, "document_version", _as_text(meta.get("document_version"))
        )
        lesson.statement = reader.text(f, "statement", meta.get("statement"))
    return lesson


def _as_text(value):
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _check_body(reader: _Reader, f: str, body: str, first_line: int) -> None:
    in_code = False
    for offset, line in enumerate(body.splitlines()):
        where = f"line {first_line + offset}"
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        tag = HTML_TAG.search(line)
        if tag:
            reader.problem(
                f,
                where,
                f"raw HTML is not allowed (found <{tag.group(1).lower()}>); write Markdown",
            )
        if re.search(r"\]\(\s*javascript:", line, re.IGNORECASE):
            reader.problem(f, where, "javascript: links are not allowed")
        if re.match(r"^#\s", line):
            reader.problem(f, where, "use '##' headings; the lesson title is the page's heading")
        callout = re.match(r"^!!!\s+([\w-]+)", line)
        if callout and callout.group(1) not in CALLOUTS:
            reader.problem(
                f,
                where,
                f"unknown callout {callout.group(1)!r}; use one of {', '.join(sorted(CALLOUTS))}",
            )
        for image in IMAGE.finditer(line):
            if not image["alt"].strip():
                reader.problem(f, where, f"image {image['src']!r} has no alt text")
            src = image["src"]
            if src.startswith(("http:", "https:", "//", "/")) or ".." in src:
                reader.problem(f, where, f"image {src!r} must be a file under images/")
            elif not (reader.folder / src).is_file():
                reader.problem(f, where, f"image {src!r} does not exist")


def _read_sources(reader: _Reader, f: str, raw) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        reader.problem(f, "sources", "expected a non-empty list of sources")
        return []
    sources = []
    for i, item in enumerate(raw):
        where = f"sources[{i}]"
        item = reader.mapping(f, where, item, {"title", "url"}, {"title", "url"})
        if item is None:
            continue
        url = reader.text(f, f"{where}.url", item.get("url"))
        if url and not url.startswith("https://"):
            reader.problem(f, f"{where}.url", f"must start with https://, found {url!r}")
        sources.append({"title": reader.text(f, f"{where}.title", item.get("title")), "url": url})
    return sources


def _read_scenario_choices(reader: _Reader, f: str, raw) -> list[dict]:
    if not isinstance(raw, list) or len(raw) < 2:
        reader.problem(f, "choices", "a scenario needs at least two choices")
        return []
    choices = []
    for i, item in enumerate(raw):
        where = f"choices[{i}]"
        item = reader.mapping(
            f, where, item, {"text", "feedback", "best"}, {"text", "feedback", "best"}
        )
        if item is None:
            continue
        choices.append(
            {
                "text": reader.text(f, f"{where}.text", item.get("text")),
                "feedback": reader.text(f, f"{where}.feedback", item.get("feedback")),
                "best": reader.boolean(f, f"{where}.best", item.get("best")),
            }
        )
    best = sum(c["best"] for c in choices)
    if choices and best != 1:
        reader.problem(f, "choices", f"exactly one choice must be best: true, found {best}")
    return choices


def _read_questions(reader: _Reader, module_slugs: set[str]) -> list[QuestionSpec]:
    f = "questions.yaml"
    raw = reader.load_yaml(f)
    if raw is None:
        return []
    raw = reader.mapping(f, "", raw, {"questions"}, {"questions"})
    if raw is None:
        return []
    items = raw.get("questions")
    if not isinstance(items, list) or not items:
        reader.problem(f, "questions", "expected a non-empty list of questions")
        return []
    questions, seen = [], set()
    for i, item in enumerate(items):
        where = f"questions[{i}]"
        raw_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(raw_id, str) and raw_id.strip():
            where = f"questions[{i}] ({raw_id.strip()})"
        item = reader.mapping(f, where, item, QUESTION_KEYS, QUESTION_KEYS)
        if item is None:
            continue
        key = reader.slug(f, f"{where}.id", item.get("id"))
        if key and key in seen:
            reader.problem(f, f"{where}.id", f"duplicate question id {key!r}")
        seen.add(key)
        module = item.get("module")
        if not isinstance(module, str):
            reader.problem(f, f"{where}.module", f"expected a module slug, found {_kind(module)}")
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


def _read_question_choices(reader: _Reader, f: str, where: str, kind, raw) -> list[dict]:
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
                "text": reader.text(f, f"{cwhere}.text", _as_text(item.get("text"))),
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


def _check_bank(reader: _Reader, spec: CourseSpec) -> None:
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


def shipped_course_folders() -> list[Path]:
    root = Path(__file__).resolve().parent / "content"
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "course.yaml").is_file())
