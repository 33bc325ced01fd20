"""Checks for uploaded files (evidence, logos): the type is decided by the content, never by
the name or the browser's claim, and the size is limited. Anything else is refused with a
message that says what is wrong."""

import io

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from cpd.conf import cpd_settings

IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg"}


def sniff(data: bytes) -> str | None:
    """The file's real type from its bytes: "pdf", "png", "jpg", or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = IMAGE_FORMATS.get(image.format)
            image.verify()
            return kind
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None


def evidence_check(upload) -> str:
    """Validate an evidence upload and return its extension (pdf, png or jpg)."""
    limit = cpd_settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; evidence files must be %(limit)s or smaller.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_big",
        )
    data = upload.read()
    upload.seek(0)
    kind = sniff(data)
    if kind is None:
        raise ValidationError(
            _("The file must be a PDF, PNG or JPEG. This file's contents are not any of those."),
            code="wrong_type",
        )
    return kind
