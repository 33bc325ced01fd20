"""Staff import: read a CSV or XLSX list of staff, check every row, show what would change,
and apply it all at once.

The steps, and who calls them:

- ``staff_file_read`` (``reading``) turns the uploaded bytes into checked rows and
  problems, each row through ``StaffRowForm`` (here). It reads nothing from the database.
- ``staff_import_plan`` (``planning``) compares the rows with the school's memberships:
  adds, updates (with the fields that change), unchanged rows and, with full sync,
  proposed leavers. This is the dry run.
- ``staff_file_apply`` (``applying``) reads the file again, plans again inside one
  transaction and writes everything or nothing, through the membership services. The same
  file applied twice changes nothing the second time.
- ``staff_import_preview`` and ``staff_import_apply`` (``pending``) are the use case the
  page and the API share: the preview keeps the file in storage under a token, and
  applying that token refuses a plan that changed since it was previewed.

Formula-like values (a name starting with ``=``, ``+``, ``-`` or ``@``) are refused, not
neutralised: a name that a spreadsheet would run as a formula is a mistake or an attack,
and storing it changed (``'=…``) would print a name nobody typed on a certificate.
"""

import logging
from dataclasses import asdict, dataclass
from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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

    @classmethod
    def from_dict(cls, data: dict) -> "StaffRow":
        return cls(
            **{
                **data,
                "started_on": date.fromisoformat(data["started_on"]),
                "left_on": date.fromisoformat(data["left_on"]) if data["left_on"] else None,
            }
        )


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


class CellField(forms.Field):
    """One spreadsheet cell, as text: a whole number Excel stored as ``3.0`` is ``"3"``,
    runs of white space are one space, and an empty cell is ``""``."""

    def to_python(self, value) -> str:
        return _text(value)

    def __deepcopy__(self, memo):
        # A form copies its fields for each instance; these are never changed after they
        # are declared, so every row shares them (copying them took most of the time of
        # checking a 5,000-row file).
        return self


class DateCellField(CellField):
    """A date cell: Excel gives a date (kept as it is), a CSV gives text (read in
    ``StaffRowForm``, which knows the formats a school may use)."""

    def to_python(self, value):
        if isinstance(value, date):  # a datetime too
            return value
        return _text(value)


class StaffRowForm(forms.Form):
    """One row of a staff file, its cells keyed by column (``COLUMNS``). Every problem in
    the row is collected, not only the first: ``problems`` lists them in column order.
    Checks across rows (the same email twice) are the reader's."""

    ROLES = _choice_lookup(Membership.Role.choices)
    CATEGORIES = _choice_lookup(Membership.StaffCategory.choices)

    email = CellField(
        label=COLUMN_LABELS["email"],
        error_messages={"required": gettext_lazy("Enter an email address.")},
    )
    first_name = CellField(
        label=COLUMN_LABELS["first_name"],
        error_messages={"required": gettext_lazy("Enter a first name.")},
    )
    last_name = CellField(
        label=COLUMN_LABELS["last_name"],
        error_messages={"required": gettext_lazy("Enter a last name.")},
    )
    role = CellField(label=COLUMN_LABELS["role"], required=False)
    staff_category = CellField(label=COLUMN_LABELS["staff_category"], required=False)
    job_title = CellField(label=COLUMN_LABELS["job_title"], required=False)
    started_on = DateCellField(
        label=COLUMN_LABELS["started_on"],
        error_messages={"required": gettext_lazy("Enter a start date.")},
    )
    left_on = DateCellField(label=COLUMN_LABELS["left_on"], required=False)

    def __init__(self, data: dict, *, row: int):
        super().__init__(data, label_suffix="")
        self.row = row

    def clean_email(self) -> str:
        value = self.cleaned_data["email"].lower()
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(
                _('"%(value)s" is not an email address.') % {"value": value}
            ) from None
        return value

    def clean_first_name(self) -> str:
        return _plain_text(self.cleaned_data["first_name"], max_length=150)

    def clean_last_name(self) -> str:
        return _plain_text(self.cleaned_data["last_name"], max_length=150)

    def clean_job_title(self) -> str:
        return _plain_text(self.cleaned_data["job_title"], max_length=200)

    def clean_role(self) -> str:
        """By value or label, in any case; an empty cell means staff."""
        return _choice(
            self.cleaned_data["role"],
            self.ROLES,
            Membership.Role,
            column="role",
            default=Membership.Role.STAFF,
        )

    def clean_staff_category(self) -> str:
        return _choice(
            self.cleaned_data["staff_category"],
            self.CATEGORIES,
            Membership.StaffCategory,
            column="staff_category",
        )

    def clean_started_on(self) -> date:
        return _date(self.cleaned_data["started_on"])

    def clean_left_on(self) -> date | None:
        return _date(self.cleaned_data["left_on"])

    def clean(self) -> dict:
        cleaned = super().clean()
        started_on, left_on = cleaned.get("started_on"), cleaned.get("left_on")
        if started_on and left_on and left_on < started_on:
            self.add_error(
                "left_on",
                _("The leaving date %(left)s is before the start date %(start)s.")
                % {"left": left_on.isoformat(), "start": started_on.isoformat()},
            )
        return cleaned

    @property
    def problems(self) -> list[Problem]:
        return [
            Problem(self.row, field.label, message)
            for name, field in self.fields.items()
            for message in self.errors.get(name, ())
        ]

    def staff_row(self) -> StaffRow:
        """The checked row; only for a valid form."""
        return StaffRow(row=self.row, **self.cleaned_data)


def _plain_text(value: str, *, max_length: int) -> str:
    """Text a spreadsheet will not run as a formula, and that fits its field."""
    problems = []
    if value.startswith(FORMULA_PREFIXES):
        problems.append(
            _(
                '"%(value)s" starts with "%(first)s", which spreadsheet programs treat as '
                "a formula. Remove it, or correct the value, and upload the file again."
            )
            % {"value": value, "first": value[0]}
        )
    if len(value) > max_length:
        problems.append(_("This is longer than %(max)d characters.") % {"max": max_length})
    if problems:
        raise ValidationError(problems)
    return value


def _choice(raw: str, lookup: dict, kinds, *, column: str, default: str | None = None) -> str:
    if not raw and default is not None:
        return default
    value = lookup.get(_normalise_header(raw))
    if value is None:
        raise ValidationError(
            _('"%(value)s" is not a %(column)s. Use one of: %(allowed)s.')
            % {"value": raw, "column": COLUMN_LABELS[column], "allowed": _allowed(kinds.choices)}
        )
    return value


def _date(value: date | str) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not value:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValidationError(
        _(
            '"%(value)s" is not a date. Use YYYY-MM-DD or DD/MM/YYYY, for example '
            "2024-09-01 or 01/09/2024."
        )
        % {"value": value}
    )
