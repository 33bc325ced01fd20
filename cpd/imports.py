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

import csv
import hashlib
import io
import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from cpd.conf import cpd_settings
from cpd.models import Membership, School
from cpd.services import audit_record
from cpd.signals import compliance_changed_after_commit
from cpd.urls_absolute import absolute_url

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


class StaffImportError(Exception):
    """The file, or applying it, was refused. Nothing has been written."""

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


@dataclass
class StaffFile:
    filename: str
    sha256: str
    rows: list[StaffRow]
    problems: list[Problem]


def _choice_lookup(choices) -> dict[str, str]:
    lookup = {}
    for value, label in choices:
        lookup[_normalise_header(value)] = value
        lookup[_normalise_header(label)] = value
    return lookup


def _allowed(choices) -> str:
    return ", ".join(f"{value} ({label})" for value, label in choices)


def _decode(content: bytes) -> str:
    """UTF-8 (with or without a byte order mark), else Windows-1252, as Excel on Windows
    saves "CSV (Comma delimited)". Anything else is refused with a way out."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
        break
    raise StaffImportError(
        [
            Problem(
                None,
                None,
                _(
                    "This file could not be read as text. Save it from your spreadsheet as "
                    '"CSV UTF-8" or as an Excel workbook (.xlsx) and upload it again.'
                ),
            )
        ]
    )


def _csv_table(content: bytes) -> list[tuple[int, list]]:
    text = _decode(content)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=",;").delimiter
    except csv.Error:
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(number, row) for number, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise StaffImportError(
            [
                Problem(
                    reader.line_num,
                    None,
                    _("This line could not be read as CSV (%(reason)s).") % {"reason": exc},
                )
            ]
        ) from exc


def _xlsx_table(content: bytes) -> list[tuple[int, list]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            limit = cpd_settings.STAFF_IMPORT_MAX_ROWS + 50
            table = []
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > limit:
                    break
                table.append((number, list(row)))
            return table
        finally:
            workbook.close()
    except StaffImportError:
        raise
    except Exception as exc:  # a damaged or foreign file: openpyxl raises many kinds
        raise StaffImportError(
            [
                Problem(
                    None,
                    None,
                    _(
                        "This file could not be read as an Excel workbook (.xlsx). Save it "
                        "again as .xlsx or CSV and upload it again."
                    ),
                )
            ]
        ) from exc


def _table(content: bytes) -> list[tuple[int, list]]:
    if not content.strip():
        raise StaffImportError([Problem(None, None, _("The file is empty."))])
    if len(content) > cpd_settings.STAFF_IMPORT_MAX_BYTES:
        raise StaffImportError(
            [
                Problem(
                    None,
                    None,
                    _("The file is larger than %(size)d MB. Split it into smaller files.")
                    % {"size": cpd_settings.STAFF_IMPORT_MAX_BYTES // (1024 * 1024)},
                )
            ]
        )
    if content.startswith(b"PK\x03\x04"):
        return _xlsx_table(content)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise StaffImportError(
            [
                Problem(
                    None,
                    None,
                    _(
                        "Old Excel files (.xls) cannot be read. Save it as an Excel workbook "
                        "(.xlsx) or as CSV and upload it again."
                    ),
                )
            ]
        )
    return _csv_table(content)


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


def staff_file_read(*, content: bytes, filename: str = "") -> StaffFile:
    """Read and check a staff file. Problems with the whole file (unreadable, a required
    column missing) raise ``StaffImportError``; problems in rows are collected, every one,
    on the returned ``StaffFile``."""
    sha256 = hashlib.sha256(content).hexdigest()
    table = _table(content)
    table = [(n, row) for n, row in table if any(_text(v) for v in row)]
    if not table:
        raise StaffImportError([Problem(None, None, _("The file is empty."))])
    header_number, header = table[0]
    positions: dict[str, int] = {}
    problems = []
    for index, cell in enumerate(header):
        column = _ALIASES.get(_normalise_header(cell))
        if column is None:
            continue
        if column.key in positions:
            problems.append(
                Problem(
                    header_number,
                    column.label,
                    _('Two columns give the %(column)s: "%(first)s" and "%(second)s".')
                    % {
                        "column": column.label,
                        "first": _text(header[positions[column.key]]),
                        "second": _text(cell),
                    },
                )
            )
        positions[column.key] = index
    needed = ", ".join(c.label for c in COLUMNS if c.required)
    for column in COLUMNS:
        if column.required and column.key not in positions:
            problems.append(
                Problem(
                    header_number,
                    column.label,
                    _(
                        'The "%(column)s" column is missing. The first row must name the '
                        "columns; these are needed: %(needed)s."
                    )
                    % {"column": column.label, "needed": needed},
                )
            )
    if problems:
        raise StaffImportError(problems)
    data = table[1:]
    if len(data) > cpd_settings.STAFF_IMPORT_MAX_ROWS:
        raise StaffImportError(
            [
                Problem(
                    None,
                    None,
                    _("The file has more than %(max)d rows of staff. Split it into smaller files.")
                    % {"max": cpd_settings.STAFF_IMPORT_MAX_ROWS},
                )
            ]
        )
    if not data:
        raise StaffImportError(
            [Problem(None, None, _("The file has a header row but no staff in it."))]
        )
    rows: list[StaffRow] = []
    first_row_of: dict[str, int] = {}
    for number, cells in data:
        values = {key: cells[i] if i < len(cells) else None for key, i in positions.items()}
        checker = _RowChecker(number, values)
        row = checker.check()
        email = _text(values.get("email")).lower()
        if email and email in first_row_of:
            checker.problem(
                "email",
                _("%(email)s is also on row %(first)d. List each person once.")
                % {"email": email, "first": first_row_of[email]},
            )
            row = None
        elif email:
            first_row_of[email] = number
        problems.extend(checker.problems)
        if row is not None:
            rows.append(row)
    return StaffFile(filename=filename, sha256=sha256, rows=rows, problems=problems)


# -- the plan (dry run) -------------------------------------------------------------------

CHANGE_FIELDS = (
    ("first_name", "user"),
    ("last_name", "user"),
    ("role", "membership"),
    ("staff_category", "membership"),
    ("job_title", "membership"),
    ("started_on", "membership"),
    ("left_on", "membership"),
)


def _show(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str

    @property
    def label(self) -> str:
        return COLUMN_LABELS[self.field]


@dataclass(frozen=True)
class PlannedUpdate:
    row: StaffRow
    membership_id: int
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class PlannedLeaver:
    membership_id: int
    email: str
    name: str
    left_on: date


@dataclass
class StaffImportPlan:
    school: School
    filename: str
    sha256: str
    full_sync: bool
    adds: list[StaffRow] = field(default_factory=list)
    updates: list[PlannedUpdate] = field(default_factory=list)
    unchanged: list[StaffRow] = field(default_factory=list)
    leavers: list[PlannedLeaver] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.adds or self.updates or self.leavers)

    @property
    def fingerprint(self) -> str:
        """A digest of what applying would do. Applying refuses if it no longer matches the
        preview the person confirmed (someone changed the staff list in between)."""
        payload = {
            "file": self.sha256,
            "adds": [r.email for r in self.adds],
            "updates": [
                [u.membership_id, [[c.field, c.old, c.new] for c in u.changes]]
                for u in self.updates
            ],
            "leavers": [[p.membership_id, p.left_on.isoformat()] for p in self.leavers],
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def as_dict(self) -> dict:
        return {
            "school": self.school.slug,
            "filename": self.filename,
            "sha256": self.sha256,
            "full_sync": self.full_sync,
            "fingerprint": self.fingerprint,
            "counts": {
                "adds": len(self.adds),
                "updates": len(self.updates),
                "unchanged": len(self.unchanged),
                "leavers": len(self.leavers),
                "errors": len(self.problems),
            },
            "adds": [r.as_dict() for r in self.adds],
            "updates": [
                {
                    "row": u.row.row,
                    "email": u.row.email,
                    "membership": u.membership_id,
                    "changes": [
                        {"field": c.field, "column": c.label, "old": c.old, "new": c.new}
                        for c in u.changes
                    ],
                }
                for u in self.updates
            ],
            "unchanged": [{"row": r.row, "email": r.email} for r in self.unchanged],
            "leavers": [
                {
                    "membership": p.membership_id,
                    "email": p.email,
                    "name": p.name,
                    "left_on": p.left_on.isoformat(),
                }
                for p in self.leavers
            ],
            "errors": [p.as_dict() for p in self.problems],
        }


def staff_import_plan(
    *, school: School, staff_file: StaffFile, full_sync: bool, on: date, actor=None
) -> StaffImportPlan:
    """What applying the file would do to the school's staff, in two queries. With
    ``full_sync``, current members missing from the file are proposed as leavers on ``on``
    (never the person importing, who would lock themselves out)."""
    plan = StaffImportPlan(
        school=school,
        filename=staff_file.filename,
        sha256=staff_file.sha256,
        full_sync=full_sync,
        problems=list(staff_file.problems),
    )
    existing = {
        m.user.email.lower(): m
        for m in Membership.objects.for_school(school).select_related("user").order_by("pk")
    }
    for row in staff_file.rows:
        membership = existing.get(row.email)
        if membership is None:
            plan.adds.append(row)
            continue
        changes = []
        for name, owner in CHANGE_FIELDS:
            old = getattr(membership.user if owner == "user" else membership, name)
            new = getattr(row, name)
            if old != new:
                changes.append(Change(name, _show(old), _show(new)))
        if changes:
            plan.updates.append(PlannedUpdate(row, membership.pk, tuple(changes)))
        else:
            plan.unchanged.append(row)
    if full_sync:
        listed = {row.email for row in staff_file.rows}
        actor_id = getattr(actor, "pk", None)
        for email, membership in existing.items():
            if email in listed or membership.user_id == actor_id:
                continue
            if membership.left_on is not None and membership.left_on <= on:
                continue
            plan.leavers.append(
                PlannedLeaver(
                    membership_id=membership.pk,
                    email=email,
                    name=membership.user.get_full_name() or email,
                    left_on=max(on, membership.started_on),
                )
            )
    return plan


# -- applying ------------------------------------------------------------------------------


def staff_import_apply(
    *,
    school: School,
    content: bytes,
    filename: str = "",
    full_sync: bool = False,
    confirm_leavers: bool = False,
    actor=None,
    on: date | None = None,
    expected_fingerprint: str | None = None,
) -> StaffImportPlan:
    """Apply a staff file: everything in one transaction, or nothing.

    The file is read and planned again here, never taken from what a browser sent back.
    Refused, with nothing written: any row with a problem; leavers proposed by full sync
    that are not confirmed; a plan that differs from ``expected_fingerprint`` (the preview
    the person saw). New members get an invitation email after commit; one audit event
    records the import, even when nothing changed."""
    on = on or timezone.localdate()
    staff_file = staff_file_read(content=content, filename=filename)
    if staff_file.problems:
        raise StaffImportError(staff_file.problems)
    try:
        with transaction.atomic():
            # One import at a time per school: the plan must not go stale while we write.
            School.objects.select_for_update().filter(pk=school.pk).first()
            plan = staff_import_plan(
                school=school, staff_file=staff_file, full_sync=full_sync, on=on, actor=actor
            )
            if expected_fingerprint is not None and plan.fingerprint != expected_fingerprint:
                raise StaffImportError(
                    [
                        Problem(
                            None,
                            None,
                            _(
                                "The school's staff list changed after the file was checked. "
                                "Check the file again before importing it."
                            ),
                        )
                    ]
                )
            if plan.leavers and not confirm_leavers:
                raise StaffImportError(
                    [
                        Problem(
                            None,
                            None,
                            _(
                                "%(count)d current members of staff are not in the file. "
                                "Confirm that they have left, or import without full sync."
                            )
                            % {"count": len(plan.leavers)},
                        )
                    ]
                )
            invited = _write(plan=plan, school=school, on=on)
            audit_record(
                actor=actor,
                action="cpd.staff.imported",
                target=school,
                school=school,
                data={
                    "filename": filename[:200],
                    "sha256": staff_file.sha256,
                    "full_sync": full_sync,
                    "added": [r.email for r in plan.adds],
                    "updated": {u.row.email: [c.field for c in u.changes] for u in plan.updates},
                    "left": [p.email for p in plan.leavers],
                    "unchanged": len(plan.unchanged),
                },
            )
            if invited:
                transaction.on_commit(lambda: _invitations_enqueue(invited))
            if plan.adds or plan.updates or plan.leavers:
                compliance_changed_after_commit(
                    sender=Membership, reason="staff_imported", school_ids=[school.pk]
                )
    except IntegrityError as exc:
        logger.warning("Staff import for %s refused by the database: %s", school.slug, exc)
        raise StaffImportError(
            [
                Problem(
                    None,
                    None,
                    _(
                        "The import could not be saved because someone else changed the same "
                        "people at the same time. Check the file again."
                    ),
                )
            ]
        ) from exc
    return plan


def _write(*, plan: StaffImportPlan, school: School, on: date) -> list[int]:
    """Write a plan. Returns the ids of new memberships whose people need an invitation."""
    User = get_user_model()
    emails = [row.email for row in plan.adds]
    users = {}
    for user in User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails):
        users.setdefault(user.email_lower, user)
    new_users = []
    for row in plan.adds:
        if row.email in users:
            continue
        user = User(
            **{User.USERNAME_FIELD: row.email},
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
        )
        user.set_unusable_password()
        new_users.append(user)
        users[row.email] = user
    User.objects.bulk_create(new_users, batch_size=500)
    memberships = Membership.objects.bulk_create(
        (
            Membership(
                user=users[row.email],
                school=school,
                role=row.role,
                staff_category=row.staff_category,
                job_title=row.job_title,
                started_on=row.started_on,
                left_on=row.left_on,
            )
            for row in plan.adds
        ),
        batch_size=500,
    )
    invited = [m.pk for m in memberships if not m.user.has_usable_password()]

    if plan.updates:
        by_id = Membership.objects.select_related("user").in_bulk(
            [u.membership_id for u in plan.updates]
        )
        changed_memberships, changed_users = [], []
        for update in plan.updates:
            membership = by_id[update.membership_id]
            user_changed = False
            for change in update.changes:
                owner = dict(CHANGE_FIELDS)[change.field]
                target = membership.user if owner == "user" else membership
                setattr(target, change.field, getattr(update.row, change.field))
                user_changed |= owner == "user"
            changed_memberships.append(membership)
            if user_changed:
                changed_users.append(membership.user)
        Membership.objects.bulk_update(
            changed_memberships,
            ["role", "staff_category", "job_title", "started_on", "left_on"],
            batch_size=500,
        )
        if changed_users:
            User.objects.bulk_update(changed_users, ["first_name", "last_name"], batch_size=500)

    for leaver in plan.leavers:
        Membership.objects.filter(pk=leaver.membership_id).update(left_on=leaver.left_on)
    return invited


# -- invitations ---------------------------------------------------------------------------

# Invitations go out in batches, one task each, so that a worker backend spreads a large
# import's emails over its workers and a failed batch is retried alone.
INVITATIONS_PER_TASK = 200


def _invitations_enqueue(membership_ids: list[int]) -> None:
    for start in range(0, len(membership_ids), INVITATIONS_PER_TASK):
        staff_invitations_send.enqueue(
            membership_ids=membership_ids[start : start + INVITATIONS_PER_TASK]
        )


def staff_invitation_message(*, membership: Membership) -> EmailMessage:
    """The invitation: a set-password link (Django's password reset token, so it stops
    working once the password is set, and after PASSWORD_RESET_TIMEOUT) naming the school."""
    user = membership.user
    context = {
        "site_name": cpd_settings.SITE_NAME,
        "school": membership.school,
        "user": user,
        "set_password_url": absolute_url(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        ),
        "password_reset_url": absolute_url("password_reset"),
    }
    return EmailMessage(
        subject=render_to_string("cpd/staff/invitation_subject.txt", context).strip(),
        body=render_to_string("cpd/staff/invitation_body.txt", context),
        from_email=cpd_settings.FROM_EMAIL or None,
        to=[user.email],
    )


@task
def staff_invitations_send(membership_ids: list[int]) -> int:
    """Email each new member an invitation. Members who have set a password meanwhile, or
    who have gone, are skipped. Returns how many were sent."""
    memberships = Membership.objects.filter(pk__in=membership_ids).select_related("user", "school")
    messages = [
        staff_invitation_message(membership=m)
        for m in memberships
        if m.user.email and not m.user.has_usable_password()
    ]
    if not messages:
        return 0
    return mailers.default.send_messages(messages)
