"""PDFs made by WeasyPrint: certificates (rendered once, at issue, from the snapshot) and
the summary page of an evidence pack.

WeasyPrint fetches nothing but what ``CertificateURLFetcher`` allows:

- the project's own static files, as ``cpd-static:<path>``, found through the staticfiles
  finders (no ``..``, no absolute paths);
- files from storage named exactly for this render, as ``cpd-media:<name>`` (the school's
  logo, nothing else);
- ``data:`` URIs made here for this render (the QR code), matched exactly and decoded
  here.

Anything else — ``file://``, ``http(s)://``, a redirect, whatever a name or a course title
might smuggle in — is refused, recorded in ``fetcher.refused`` and logged. The fetcher
never opens a network connection or a ``file://`` URL, so there is nothing to redirect.

The certificate is PDF/UA-1: a tagged PDF whose structure (headings, paragraphs, the QR
code's alternative text) a screen reader can follow, which is what a member of staff or an
inspector opening it needs. PDF/A would promise long-term archival fidelity, but the stored
file's SHA-256 already proves it unchanged and WeasyPrint cannot make a PDF both at once.
"""

import base64
import io
import logging
import mimetypes
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath

import segno
from django.contrib.staticfiles import finders
from django.core.files.storage import Storage
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}


class RefusedURL(ValueError):
    pass


class CertificateURLFetcher(URLFetcher):
    """Serves only what a certificate may show; refuses, records and logs the rest.

    ``media`` maps exact storage names (the school's logo) to the storage holding them;
    ``data_uris`` are the ``data:`` URIs this render made (the QR code)."""

    def __init__(
        self,
        *,
        media: dict[str, Storage] | None = None,
        data_uris: frozenset[str] = frozenset(),
    ):
        # Nothing is ever handed to urllib (not even data:, decoded here), so file, http,
        # https and ftp never reach an opener and no redirect can be followed.
        super().__init__(allow_redirects=False, timeout=2, allowed_protocols=set())
        self.media = {name: storage for name, storage in (media or {}).items() if name}
        self.data_uris = data_uris
        self.fetched: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        try:
            response = self._allowed(url)
        except Exception as exc:  # a storage or finder error is a refusal too
            logger.warning("Certificate render could not read %r: %s", url, exc)
            response = None
        if response is None:
            self.refused.append(url)
            logger.warning("Certificate render refused to fetch %r", url[:200])
            raise RefusedURL(f"Certificates may not fetch {url[:200]!r}")
        self.fetched.append(url)
        return response

    def _allowed(self, url: str) -> URLFetcherResponse | None:
        if url.startswith("data:"):
            if url not in self.data_uris:
                return None
            header, _, payload = url.removeprefix("data:").partition(",")
            content_type, _, encoding = header.partition(";")
            if encoding != "base64":
                return None
            return URLFetcherResponse(
                url, base64.b64decode(payload), {"Content-Type": content_type}
            )
        if url.startswith("cpd-static:"):
            path = url.removeprefix("cpd-static:")
            pure = PurePosixPath(path)
            if not path or pure.is_absolute() or ".." in pure.parts or "\\" in path:
                return None
            found = finders.find(path)
            if isinstance(found, str):
                return self._response(url, Path(found).read_bytes())
            return None
        if url.startswith("cpd-media:"):
            name = url.removeprefix("cpd-media:")
            storage = self.media.get(name)
            if storage is not None and storage.exists(name):
                with storage.open(name, "rb") as handle:
                    return self._response(url, handle.read())
        return None

    @staticmethod
    def _response(url: str, body: bytes) -> URLFetcherResponse:
        content_type = mimetypes.guess_type(url.split(":", 1)[1])[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


@cache
def font_configuration() -> FontConfiguration:
    """One per process: building it loads fontconfig's cache, which is slow."""
    return FontConfiguration()


def qr_data_uri(url: str) -> str:
    """The QR code for ``url`` as a base64 ``data:`` URI of an SVG image."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", scale=3, border=0, xmldecl=False, svgns=True
    )
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def render_pdf(html: str, *, fetcher: CertificateURLFetcher) -> bytes:
    return HTML(string=html, url_fetcher=fetcher).write_pdf(
        font_config=font_configuration(), **PDF_OPTIONS
    )


@dataclass(frozen=True)
class RenderedPDF:
    data: bytes
    fetcher: CertificateURLFetcher


def certificate_pdf(*, context: dict, logo=None) -> RenderedPDF:
    """Render ``certificates/certificate.html`` with ``context`` (see
    ``rendering.certificate_context``). ``logo`` is the school's logo field file, the one
    stored file the template may show."""
    media = {logo.name: logo.storage} if logo else {}
    fetcher = CertificateURLFetcher(media=media, data_uris=frozenset({context["qr_code"]}))
    html = render_to_string("certificates/certificate.html", context)
    return RenderedPDF(render_pdf(html, fetcher=fetcher), fetcher)
