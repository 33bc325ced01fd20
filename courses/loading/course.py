"""Reading one course folder into a validated ``CourseSpec``."""

from pathlib import Path

from courses.loading.lessons import modules_read
from courses.loading.questions import bank_check, questions_read
from courses.loading.reader import Reader
from courses.loading.repeats import repeats_check
from courses.loading.spec import ContentError, CourseSpec, Problem, content_hash

SHIPPED_CONTENT = Path(__file__).resolve().parent.parent / "content"

COURSE_KEYS = {
    "slug", "title", "summary", "audience", "objectives", "reviewed_against", "cpd_minutes",
    "pass_mark", "questions_per_attempt", "max_attempts", "retry_cooldown_minutes",
    "validity_months", "reveal_answers", "modules", "reviewed_on",
}  # fmt: skip
REQUIRED_COURSE_KEYS = COURSE_KEYS - {"reviewed_on"}


def course_spec_read(folder: Path | str) -> CourseSpec:
    folder = Path(folder)
    reader = Reader(folder)
    if not folder.is_dir():
        raise ContentError([Problem(str(folder), "", "course folder not found")])
    raw = reader.load_yaml("course.yaml")
    if raw is None:
        raise ContentError(reader.problems)
    course = reader.mapping("course.yaml", "", raw, COURSE_KEYS, REQUIRED_COURSE_KEYS)
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
        modules=modules_read(reader, course.get("modules")),
        questions=[],
        reviewed_on=None
        if course.get("reviewed_on") is None
        else reader.day(f, "reviewed_on", course.get("reviewed_on")),
    )
    module_slugs = {m.slug for m in spec.modules}
    spec.questions = questions_read(reader, module_slugs)
    bank_check(reader, spec)
    repeats_check(reader, spec)
    if reader.problems:
        raise ContentError(reader.problems)
    return spec


def shipped_course_folders() -> list[Path]:
    return sorted(
        p for p in SHIPPED_CONTENT.iterdir() if p.is_dir() and (p / "course.yaml").is_file()
    )


def course_is_shipped(folder: Path | str) -> bool:
    """Whether the folder is one of the courses shipped with the package (rather than a
    school's own content)."""
    return Path(folder).resolve().parent == SHIPPED_CONTENT
