"""The staff import as one use case, the same for the page and the API: a preview that
keeps the file, and an apply that takes it back.

``staff_import_preview`` reads and checks an upload once, plans it, and keeps what it read
in the default storage as ``staff-imports/<school id>/<token>``: one line of JSON saying
whose it is, then one line of JSON with the checked rows and problems. The uploaded bytes
are not kept, and the preview page and applying never parse the file again.
``staff_import_apply`` takes the token and the fingerprint of the plan the person saw: it
reads the kept rows, plans again and applies it, or refuses
with ``Conflict`` when the plan is no longer the one they saw (someone changed the staff
list meanwhile), changing nothing. The file is deleted once the import is saved.

A pending import belongs to one school and one person: for anyone else its token is
``NotFound``, as is a token that was used or has expired. Pending imports last a day
(``PENDING_LIFETIME``); every preview deletes older ones, in every school, so that lists
of staff do not linger in storage."""

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpd.dates import school_today
from cpd.errors import NotFound
from cpd.models import School
from cpd.people.imports.applying import staff_file_apply
from cpd.people.imports.planning import StaffImportPlan, staff_import_plan
from cpd.people.imports.reading import StaffFile, staff_file_read

logger = logging.getLogger(__name__)

PENDING_FOLDER = "staff-imports"
PENDING_LIFETIME = timedelta(days=1)


@dataclass(frozen=True)
class PendingImport:
    """A checked file waiting to be applied: its ``token``, and its ``plan`` as of now."""

    token: str
    plan: StaffImportPlan
    created_at: datetime
    #: The fingerprint of the plan when the file was uploaded: what a person confirms if
    #: their confirmation does not say which preview they saw.
    previewed_fingerprint: str

    @property
    def fingerprint(self) -> str:
        return self.plan.fingerprint


@dataclass(frozen=True)
class _Kept:
    path: str
    token: str
    actor_id: int | None
    filename: str
    full_sync: bool
    fingerprint: str
    created_at: datetime
    staff_file: StaffFile


def _path(school_id: int, token: str) -> str:
    return f"{PENDING_FOLDER}/{school_id}/{token}"


def _not_found() -> NotFound:
    return NotFound(
        _(
            "No staff import is waiting under this token: it has been imported, it has "
            "expired, or it is not yours. Upload the file again."
        ),
        code="import_not_found",
    )


def _token(value) -> str:
    """The token in one spelling; anything that is not a UUID (a path, say) is refused."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise _not_found() from None


def _header(raw: bytes) -> dict:
    header = json.loads(raw)
    header["created"] = datetime.fromisoformat(header["created"])
    return header


def _kept(*, school: School, actor, token) -> _Kept:
    token = _token(token)
    path = _path(school.pk, token)
    try:
        with default_storage.open(path, "rb") as stored:
            header = _header(stored.readline())
            staff_file = StaffFile.from_dict(json.loads(stored.read()))
    except FileNotFoundError:
        raise _not_found() from None
    if header["actor"] != getattr(actor, "pk", None):
        raise _not_found()
    if header["created"] < timezone.now() - PENDING_LIFETIME:
        default_storage.delete(path)
        raise _not_found()
    return _Kept(
        path=path,
        token=token,
        actor_id=header["actor"],
        filename=header["filename"],
        full_sync=header["full_sync"],
        fingerprint=header["fingerprint"],
        created_at=header["created"],
        staff_file=staff_file,
    )


def _plan(*, school: School, actor, kept: _Kept) -> StaffImportPlan:
    return staff_import_plan(
        school=school,
        staff_file=kept.staff_file,
        full_sync=kept.full_sync,
        on=school_today(school),
        actor=actor,
    )


def staff_import_preview(
    *, school: School, actor, content: bytes, filename: str = "", full_sync: bool = False
) -> PendingImport:
    """Check a staff file and show what applying it would do, saving nothing but the file
    itself, kept for ``staff_import_apply``. A file that cannot be read at all raises
    ``StaffImportError`` and is not kept; problems in rows are in the plan (the file is
    kept, so that the preview can list them, but applying it is refused)."""
    staff_file = staff_file_read(content=content, filename=filename)
    plan = staff_import_plan(
        school=school,
        staff_file=staff_file,
        full_sync=full_sync,
        on=school_today(school),
        actor=actor,
    )
    now = timezone.now()
    staff_imports_expired_delete(now=now)
    token = str(uuid.uuid4())
    header = {
        "actor": getattr(actor, "pk", None),
        "filename": filename[:200],
        "full_sync": full_sync,
        "fingerprint": plan.fingerprint,
        "created": now.isoformat(),
    }
    default_storage.save(
        _path(school.pk, token),
        ContentFile(
            json.dumps(header).encode() + b"\n" + json.dumps(staff_file.as_dict()).encode()
        ),
    )
    return PendingImport(
        token=token, plan=plan, created_at=now, previewed_fingerprint=plan.fingerprint
    )


def staff_import_pending(*, school: School, actor, token) -> PendingImport:
    """A pending import, planned again: what applying it would do now."""
    kept = _kept(school=school, actor=actor, token=token)
    return PendingImport(
        token=kept.token,
        plan=_plan(school=school, actor=actor, kept=kept),
        created_at=kept.created_at,
        previewed_fingerprint=kept.fingerprint,
    )


def staff_import_apply(
    *, school: School, actor, token, fingerprint: str, confirm_leavers: bool = False
) -> StaffImportPlan:
    """Apply a pending import, if its plan is still the one previewed with
    ``fingerprint``; otherwise ``Conflict``, and nothing changes (preview it again). Rows
    with problems, or leavers not confirmed, are refused with ``StaffImportError``. The
    kept file is deleted once the import is saved."""
    kept = _kept(school=school, actor=actor, token=token)
    plan = staff_file_apply(
        school=school,
        staff_file=kept.staff_file,
        filename=kept.filename,
        full_sync=kept.full_sync,
        confirm_leavers=confirm_leavers,
        actor=actor,
        expected_fingerprint=fingerprint,
    )
    transaction.on_commit(lambda: default_storage.delete(kept.path))
    return plan


def staff_import_at_once(
    *,
    school: School,
    actor,
    content: bytes,
    filename: str = "",
    full_sync: bool = False,
    confirm_leavers: bool = False,
) -> StaffImportPlan:
    """Preview and apply a file in one step (the API without a dry run); the kept file
    goes either way."""
    pending = staff_import_preview(
        school=school, actor=actor, content=content, filename=filename, full_sync=full_sync
    )
    try:
        return staff_import_apply(
            school=school,
            actor=actor,
            token=pending.token,
            fingerprint=pending.fingerprint,
            confirm_leavers=confirm_leavers,
        )
    except Exception:
        default_storage.delete(_path(school.pk, pending.token))
        raise


def staff_imports_expired_delete(*, now: datetime | None = None) -> int:
    """Delete pending imports older than ``PENDING_LIFETIME``, in every school. Returns
    how many. Storage only holds folders for schools with files waiting, so this lists
    little."""
    limit = (now or timezone.now()) - PENDING_LIFETIME
    try:
        folders, _files = default_storage.listdir(PENDING_FOLDER)
    except FileNotFoundError:
        return 0
    deleted = 0
    for folder in folders:
        _subfolders, names = default_storage.listdir(f"{PENDING_FOLDER}/{folder}")
        for name in names:
            path = f"{PENDING_FOLDER}/{folder}/{name}"
            try:
                with default_storage.open(path, "rb") as stored:
                    created = _header(stored.readline())["created"]
            except FileNotFoundError:
                continue  # deleted meanwhile
            except (ValueError, KeyError):
                logger.warning("Deleting %s: not a pending staff import.", path)
                created = limit
            if created <= limit:
                default_storage.delete(path)
                deleted += 1
    return deleted
