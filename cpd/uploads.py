"""Checks for uploaded files (evidence, logos): the type is decided by the content, never by
the name or the browser's claim, and the size is limited. Anything else is refused with a
message that says what is wrong.

What is kept is never the upload as sent: a PDF is kept as it came but named ``.pdf``
whatever its name said; an image is decoded (within a pixel limit, so a small file that
declares a huge image is refused, not decompressed) and encoded again, which drops its
metadata (location, camera) and anything hidden after the image data.

Request bodies are limited before they are read: ``upload_limit`` wraps a page that
accepts files and answers 413 from the ``Content-Length`` header alone, before the CSRF
check or anything else reads the body; ``request_size_check`` does the same for an API
view. The WSGI server never hands a view more than the declared length (Django reads the
body through a stream limited to it), so the header is enough."""

import io
import re
from functools import wraps

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from PIL import Image

from cpd.conf import cpd_settings
from cpd.errors import Refused

IMAGE_FORMATS = ["PNG", "JPEG"]

#: Room in a request body for the form's other fields and the multipart boundaries.
BODY_MARGIN = 64 * 1024

#: The largest image, in pixels, that is decoded: a phone photo is about 12 million.
MAX_IMAGE_PIXELS = 40_000_000

_HTML = re.compile(rb"<\s*(html|script|body|iframe|svg|!doctype)", re.IGNORECASE)


class TooLarge(Refused):
    """A request body larger than the endpoint accepts; nothing of it was read."""

    status = 413
    code = "too_large"


def _too_large_message(*, size: int, limit: int) -> str:
    return _(
        "The upload is %(size)s; files here must be %(limit)s or smaller. Nothing was saved."
    ) % {"size": filesizeformat(size), "limit": filesizeformat(limit)}


def _content_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def request_size_check(request, *, limit: int) -> None:
    """Refuse (``TooLarge``) a request whose declared body is larger than a file of
    ``limit`` bytes with its form, before any of it is read."""
    length = _content_length(request)
    if length > limit + BODY_MARGIN:
        raise TooLarge(_too_large_message(size=length, limit=limit))


def upload_limit(limit):
    """For a page that accepts a file: a POST whose ``Content-Length`` says it is larger
    than ``limit()`` bytes (plus room for the form) is answered 413 with a page saying so,
    before the body is read. The CSRF check runs after this one (it reads the body)."""

    def decorator(view):
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                try:
                    request_size_check(request, limit=limit())
                except TooLarge as exc:
                    # The server closes the connection: the body was never read.
                    return render(
                        request, "cpd/upload_too_large.html", {"message": exc.message}, status=413
                    )
            return protected(request, *args, **kwargs)

        return wrapped

    return decorator


def _found(data: bytes) -> str:
    """What a file that is not a PDF, PNG or JPEG seems to be, for the message."""
    head = data[:4096].lstrip()
    if not data:
        return _("The file is empty.")
    if head.startswith(b"PK\x03\x04"):
        return _("This file is a zip archive (or an Office document).")
    if head.startswith(b"GIF8"):
        return _("This file is a GIF image.")
    if b"<svg" in head.lower():
        return _("This file is an SVG image, which can carry scripts.")
    if _HTML.search(head):
        return _("This file is a web page (HTML).")
    return _("This file's contents are not any of those.")


def _wrong_type(data: bytes) -> ValidationError:
    return ValidationError(
        _("The file must be a PDF, PNG or JPEG. %(found)s") % {"found": _found(data)},
        code="wrong_type",
    )


def sniff(data: bytes) -> str | None:
    """The file's real type from its first bytes: "pdf", "png", "jpg", or None. Nothing is
    decoded here (``image_reencoded`` decodes images, within limits)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    return None


def _pdf_check(data: bytes) -> None:
    """A PDF that is only a PDF: complete (it ends with ``%%EOF``), and not also a web page
    or a zip archive, which a browser or an unzip tool would open as that instead."""
    if b"%%EOF" not in data[-2048:]:
        raise ValidationError(
            _("The PDF is incomplete (it does not end as a PDF does). Save it again."),
            code="truncated",
        )
    if _HTML.search(data):
        raise ValidationError(
            _("The PDF also contains a web page (HTML), which is not allowed. Save it again."),
            code="polyglot",
        )
    if b"PK\x03\x04" in data and b"PK\x05\x06" in data:
        raise ValidationError(
            _("The PDF also contains a zip archive, which is not allowed. Save it again."),
            code="polyglot",
        )


def _png_end(data: bytes) -> int | None:
    """Where a PNG's last chunk (IEND) ends, walking its chunks; None if it never does."""
    position = 8
    while position + 12 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        position += 12 + length
        if kind == b"IEND":
            return position if position <= len(data) else None
    return None


def image_reencoded(data: bytes, kind: str) -> bytes:
    """The image decoded and encoded again: no metadata, nothing after the image data. A
    header declaring more than ``MAX_IMAGE_PIXELS`` is refused before anything is decoded,
    as is an image that cannot be decoded whole."""
    try:
        with Image.open(io.BytesIO(data), formats=IMAGE_FORMATS) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError(
                    _(
                        "The image says it is %(width)d × %(height)d pixels; images must be "
                        "at most %(max)d million pixels. Send a smaller picture or a PDF."
                    )
                    % {"width": width, "height": height, "max": MAX_IMAGE_PIXELS // 10**6},
                    code="too_many_pixels",
                )
            image.load()
            if kind == "jpg":
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, format="JPEG" if kind == "jpg" else "PNG", quality=90)
            return out.getvalue()
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise ValidationError(
            _("The image is too large to open (it may be a decompression bomb)."),
            code="too_many_pixels",
        ) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("The image is damaged or incomplete. Save it again."),
            code="damaged",
        ) from exc


def evidence_cleaned(upload) -> ContentFile:
    """An evidence upload checked and made safe to keep: a ``ContentFile`` named
    ``evidence.<type>`` from the content (never the upload's name), an image re-encoded.
    Refused with ``ValidationError`` naming the problem: too big, empty, not a PDF, PNG or
    JPEG (and what it seems to be), a PDF that is incomplete or also something else, an
    image too large in pixels, damaged or carrying data after its end."""
    limit = cpd_settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; evidence files must be %(limit)s or smaller.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_big",
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    kind = sniff(data)
    if kind is None:
        raise _wrong_type(data)
    if kind == "pdf":
        _pdf_check(data)
        return ContentFile(data, name="evidence.pdf")
    if kind == "png":
        end = _png_end(data)
        if end is None:
            raise ValidationError(
                _("The image is damaged or incomplete. Save it again."), code="damaged"
            )
        if data[end:].strip(b"\x00"):
            raise ValidationError(
                _("The image has other data hidden after its end. Save it again."),
                code="polyglot",
            )
    return ContentFile(image_reencoded(data, kind), name=f"evidence.{kind}")


#: The largest school logo kept, in bytes.
LOGO_MAX_BYTES = 1024 * 1024


def logo_cleaned(upload) -> ContentFile:
    """A school logo checked and made safe to keep: PNG or JPEG by content, at most
    ``LOGO_MAX_BYTES``, re-encoded within the pixel limit, named ``logo.<type>``."""
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is %(size)s; logos must be %(limit)s or smaller.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(LOGO_MAX_BYTES)},
            code="too_big",
        )
    upload.seek(0)
    data = upload.read(LOGO_MAX_BYTES + 1)
    upload.seek(0)
    kind = sniff(data)
    if kind not in ("png", "jpg"):
        raise ValidationError(
            _("The logo must be a PNG or JPEG image. %(found)s")
            % {"found": _found(data) if kind is None else _("This file is a PDF.")},
            code="wrong_type",
        )
    return ContentFile(image_reencoded(data, kind), name=f"logo.{kind}")
