"""What a read course folder is: the validated spec, and the problems that refuse one."""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

WORD = re.compile(r"[A-Za-z0-9’']+")

LESSON_KINDS = ("content", "scenario", "acknowledgement")
QUESTION_KINDS = ("single", "multiple", "true_false")


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
    documents: list[dict] = field(default_factory=list)
    """Alternatives for an acknowledgement: ``{"document", "statement", "who"}`` each; the
    learner confirms the one they read (``document`` and ``statement`` are then empty)."""

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
    reviewed_on: date | None = None

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
