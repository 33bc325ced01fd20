"""Reading one course folder's files while collecting every problem found."""

import re
from datetime import date, datetime
from pathlib import Path

import yaml

from courses.loading.spec import Problem

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Reader:
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
            self.problem(file, where, f"expected a mapping, found {kind_of(value)}")
            return None
        for key in sorted(required - value.keys()):
            self.problem(file, join(where, key), "required key is missing")
            self.missing.add((file, join(where, key)))
        for key in sorted(value.keys() - allowed, key=str):
            self.problem(file, join(where, str(key)), "unknown key")
        return value

    def text(self, file: str, where: str, value, *, blank: bool = False) -> str:
        if not isinstance(value, str):
            self.problem(file, where, f"expected text, found {kind_of(value)}")
            return ""
        if not blank and not value.strip():
            self.problem(file, where, "must not be empty")
        return value.strip()

    def integer(self, file: str, where: str, value, *, low: int, high: int | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(file, where, f"expected a whole number, found {kind_of(value)}")
            return low
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            self.problem(file, where, f"must be {bounds}, found {value}")
        return value

    def day(self, file: str, where: str, value) -> date | None:
        """A date written as YYYY-MM-DD (YAML reads it as a date)."""
        if isinstance(value, datetime) or not isinstance(value, date):
            self.problem(file, where, f"expected a date as YYYY-MM-DD, found {kind_of(value)}")
            return None
        return value

    def boolean(self, file: str, where: str, value) -> bool:
        if not isinstance(value, bool):
            self.problem(file, where, f"expected true or false, found {kind_of(value)}")
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


def kind_of(value) -> str:
    return {
        type(None): "nothing",
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


def join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def as_text(value):
    """A number written where text is expected (``document_version: 2025``) read as text."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
