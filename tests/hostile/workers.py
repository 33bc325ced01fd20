"""What each endpoint does with an uploaded file before anything is saved, run by
``measure`` in a separate process: the same functions the pages and the API call."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cpd.people.imports.reading import staff_file_read
from cpd.people.imports.rows import StaffImportError
from cpd.uploads import evidence_cleaned


def evidence(name: str, content: bytes) -> str:
    try:
        kept = evidence_cleaned(SimpleUploadedFile(name, content))
    except ValidationError as exc:
        return "refused: " + " ".join(exc.messages)
    return f"accepted: {kept.name}"


def staff(name: str, content: bytes) -> str:
    try:
        staff_file = staff_file_read(content=content, filename=name)
    except StaffImportError as exc:
        return "refused: " + str(exc)
    return f"read: {len(staff_file.rows)} rows, {len(staff_file.problems)} problems"


WORKERS = {"evidence": evidence, "staff": staff}
