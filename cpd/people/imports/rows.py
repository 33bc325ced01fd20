"""Staff import: read a CSV or XLSX list of staff, check every row, show what would change,
and apply it all at once.

The steps, and who calls them:

- ``staff_file_read`` turns the uploaded bytes into checked rows and problems. It reads
  nothing from the database.
- ``staff_import_plan`` compares the rows with the school's memberships: adds, updates
  (with the fields that change), unchanged rows and, with full sync, proposed leavers. This
  is the dry run.
- ``staff_import_apply`` reads the file again, plans again inside one transaction and
  writes everything or nothing. The same file applied twice changes nothing the second time.

Formula-like values (a name starting with ``=``, ``+``, ``-`` or ``@``) are refused, not
neutralised: a name that a spreadsheet would run as a formula is a mistake or an attack,
and storing it changed (``'=…``) would print a name nobody typed on a certificate.
"""

import logging
from dataclasses import asdict, dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from cpd.errors import Refused
from cpd.models import Membership

logger = logging.getLogger(__name__)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool
    aliases: tuple[str, ...]


COLUMNS = (
    Column("email", "email", True, ("email", "email address", "e mail", "work email")),
    Column("first_name", "first name", True, ("first name", "firstname", "forename", "given name")),
    Column("last_name", "last name", True, ("last name", "lastname", "surname", "family name")),
    Column("role", "role", True, ("role",)),
    Column("staff_category", "staff category", True, ("staff category", "category")),
    Column("job_title", "job title", False, ("job title", "jobtitle", "position")),
    Column("started_on", "start date", True, ("start date", "started on", "date started")),
    Column(
        "left_on",
        "leaving date",
        False,
        ("leaving date", "left on", "leave date", "end date", "date left"),
    ),
)


COLUMN_LABELS = {c.key: c.label for c in COLUMNS}


_ALIASES = {alias: column for column in COLUMNS for alias in column.aliases}


def _normalise_header(value) -> str:
    text = str(value or "").strip().lower().replace("_", " ").replace("-", " ")
    return " ".join(text.split())


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: ``row`` is the spreadsheet row number (the header is
    row 1), ``column`` the column's name; either is None when the problem is not in one."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(_("Row %(row)d") % {"row": self.row})
        if self.column:
            where.append(self.column)
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class StaffImportError(Refused):
    """The file, or applying it, was refused. Nothing has been written."""

    code = "invalid_file"

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class StaffRow:
    row: int
    email: str
    first_name: str
    last_name: str
    role: str
    staff_category: str
    job_title: str
    started_on: date
    left_on: date | None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def as_dict(self) -> dict:
        data = asdict(self)
        data["started_on"] = self.started_on.isoformat()
        data["left_on"] = self.left_on.isoformat() if self.left_on else None
        return data


def _choice_lookup(choices) -> dict[str, str]:
    lookup = {}
    for value, label in choices:
        lookup[_normalise_header(value)] = value
        lookup[_normalise_header(label)] = value
    return lookup


def _allowed(choices) -> str:
    return ", ".join(f"{value} ({label})" for value, label in choices)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


class _RowChecker:
    """Checks one row's values, collecting every problem rather than stopping at the first."""

    ROLES = _choice_lookup(Membership.Role.choices)
    CATEGORIES = _choice_lookup(Membership.StaffCategory.choices)

    def __init__(self, number: int, values: dict):
        self.number = number
        self.values = values
        self.problems: list[Problem] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.number, COLUMN_LABELS[key], message))

    def email(self) -> str:
        value = _text(self.values.get("email")).lower()
        if not value:
            self.problem("email", _("Enter an email address."))
            return ""
        try:
            validate_email(value)
        except ValidationError:
            self.problem("email", _('"%(value)s" is not an email address.') % {"value": value})
        return value

    def name(self, key: str, *, required: bool, max_length: int) -> str:
        value = _text(self.values.get(key))
        if not value:
            if required:
                self.problem(key, _("Enter a %(column)s.") % {"column": COLUMN_LABELS[key]})
            return ""
        if value.startswith(FORMULA_PREFIXES):
            self.problem(
                key,
                _(
                    '"%(value)s" starts with "%(first)s", which spreadsheet programs treat as '
                    "a formula. Remove it, or correct the value, and upload the file again."
                )
                % {"value": value, "first": value[0]},
            )
        if len(value) > max_length:
            self.problem(
                key,
                _("This is longer than %(max)d characters.") % {"max": max_length},
            )
        return value

    def choice(self, key: str, lookup: dict, choices, *, default: str | None = None) -> str:
        raw = _text(self.values.get(key))
        if not raw and default is not None:
            return default
        value = lookup.get(_normalise_header(raw))
        if value is None:
            self.problem(
                key,
                _('"%(value)s" is not a %(column)s. Use one of: %(allowed)s.')
                % {"value": raw, "column": COLUMN_LABELS[key], "allowed": _allowed(choices)},
            )
            return ""
        return value

    def date(self, key: str, *, required: bool) -> date | None:
        raw = self.values.get(key)
        if raw is None or _text(raw) == "":
            if required:
                self.problem(key, _("Enter a %(column)s.") % {"column": COLUMN_LABELS[key]})
            return None
        try:
            return _date(raw)
        except ValueError:
            self.problem(
                key,
                _(
                    '"%(value)s" is not a date. Use YYYY-MM-DD or DD/MM/YYYY, for example '
                    "2024-09-01 or 01/09/2024."
                )
                % {"value": _text(raw)},
            )
            return None

    def check(self) -> StaffRow | None:
        email = self.email()
        first_name = self.name("first_name", required=True, max_length=150)
        last_name = self.name("last_name", required=True, max_length=150)
        role = self.choice(
            "role", self.ROLES, Membership.Role.choices, default=Membership.Role.STAFF
        )
        category = self.choice("staff_category", self.CATEGORIES, Membership.StaffCategory.choices)
        job_title = self.name("job_title", required=False, max_length=200)
        started_on = self.date("started_on", required=True)
        left_on = self.date("left_on", required=False)
        if started_on and left_on and left_on < started_on:
            self.problem(
                "left_on",
                _("The leaving date %(left)s is before the start date %(start)s.")
                % {"left": left_on.isoformat(), "start": started_on.isoformat()},
            )
        if self.problems:
            return None
        return StaffRow(
            row=self.number,
            email=email,
            first_name=first_name,
            last_name=last_name,
            role=role,
            staff_category=category,
            job_title=job_title,
            started_on=started_on,
            left_on=left_on,
        )
