"""Reading course.yaml's modules and each lesson file they list."""

import re

from courses.loading.reader import SLUG, Reader, as_text, kind_of
from courses.loading.spec import LESSON_KINDS, LessonSpec, ModuleSpec
from cpd.arrangements.placeholders import PLACEHOLDER, PLACEHOLDERS

# Any HTML tag, but not a Markdown autolink such as <https://www.gov.uk/>.
HTML_TAG = re.compile(r"<\s*/?\s*(?!https?://|mailto:)([a-zA-Z][a-zA-Z0-9-]*)[^>]*>")
IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
FRONT_MATTER = re.compile(r"\A---\s*\n(?P<meta>.*?)\n---\s*\n(?P<body>.*)\Z", re.DOTALL)
CALLOUTS = {"key-point", "what-to-do"}

LESSON_KEYS = {"title", "kind", "minutes", "sources"}
SCENARIO_KEYS = {"prompt", "choices"}
ACKNOWLEDGEMENT_KEYS = {"document", "document_version", "statement", "documents"}
ACKNOWLEDGEMENT_DOCUMENT_KEYS = {"document", "statement", "who"}


def modules_read(reader: Reader, raw) -> list[ModuleSpec]:
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


def _read_lesson(reader: Reader, name: str) -> LessonSpec | None:
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
        reader.problem(f, "front matter", f"expected a mapping, found {kind_of(meta)}")
        return None
    kind = meta.get("kind")
    allowed = set(LESSON_KEYS)
    required = {"title", "kind", "sources"}
    if kind == "scenario":
        allowed |= SCENARIO_KEYS
        required |= SCENARIO_KEYS
    elif kind == "acknowledgement":
        allowed |= ACKNOWLEDGEMENT_KEYS
        # One document and its statement, or several documents to choose from.
        required |= {"document_version"} | (
            {"documents"} if "documents" in meta else {"document", "statement"}
        )
    reader.mapping(f, "", meta, allowed, required)
    if kind not in LESSON_KINDS:
        reader.problem(f, "kind", f"must be one of {', '.join(LESSON_KINDS)}, found {kind!r}")
    body = match["body"]
    body_start = text[: match.start("body")].count("\n") + 1
    refuse_placeholders(reader, f, match["meta"], first_line=2, where="the front matter")
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
        lesson.document_version = reader.text(
            f, "document_version", as_text(meta.get("document_version"))
        )
        if "documents" in meta:
            for key in ("document", "statement"):
                if key in meta:
                    reader.problem(
                        f, key, "give either documents (to choose from) or one document, not both"
                    )
            lesson.documents = _read_documents(reader, f, meta.get("documents"))
        else:
            lesson.document = reader.text(f, "document", meta.get("document"))
            lesson.statement = reader.text(f, "statement", meta.get("statement"))
    return lesson


def _read_documents(reader: Reader, f: str, raw) -> list[dict]:
    """The documents an acknowledgement offers: at least two, each with who it is for and
    the statement the learner confirms."""
    if not isinstance(raw, list):
        reader.problem(f, "documents", f"expected a list, found {kind_of(raw)}")
        return []
    if len(raw) < 2:
        reader.problem(
            f, "documents", f"offer at least two documents to choose from, found {len(raw)}"
        )
    documents = []
    for i, item in enumerate(raw, start=1):
        where = f"documents[{i}]"
        if (
            reader.mapping(
                f, where, item, ACKNOWLEDGEMENT_DOCUMENT_KEYS, ACKNOWLEDGEMENT_DOCUMENT_KEYS
            )
            is None
        ):
            continue
        documents.append(
            {
                key: reader.text(f, f"{where}.{key}", item.get(key))
                for key in ("document", "statement", "who")
            }
        )
    return documents


def refuse_placeholders(reader: Reader, f: str, text: str, *, first_line: int, where: str):
    """A school's values may fill a lesson's body only: never a question, a choice, its
    feedback or a scenario, which are the same for everyone and marked the same way."""
    for offset, line in enumerate(text.splitlines()):
        for found in PLACEHOLDER.finditer(line):
            reader.problem(
                f,
                f"line {first_line + offset}",
                f"placeholder {found.group(0)} is not allowed in {where}; "
                "placeholders may be used only in a lesson's body",
            )


def _check_body(reader: Reader, f: str, body: str, first_line: int) -> None:
    in_code = False
    for offset, line in enumerate(body.splitlines()):
        where = f"line {first_line + offset}"
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        for found in PLACEHOLDER.finditer(line):
            if found["name"] not in PLACEHOLDERS:
                reader.problem(
                    f,
                    where,
                    f"unknown placeholder {found.group(0)}; use one of "
                    + ", ".join("{{ " + name + " }}" for name in PLACEHOLDERS),
                )
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


def _read_sources(reader: Reader, f: str, raw) -> list[dict]:
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


def _read_scenario_choices(reader: Reader, f: str, raw) -> list[dict]:
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
