"""Certificate PDFs: rendered once, at issue, from the certificate's snapshot.

WeasyPrint fetches nothing but what ``CertificateURLFetcher`` allows: the project's own
static files (``cpd-static:<path>``), the school's logo from storage (``cpd-media:<name>``,
only the name given for this render) and ``data:`` URIs made here (the QR code). Anything
else — ``file://``, http(s), whatever a name or title might smuggle in — is refused.
"""

import mimetypes
from functools import cache
from pathlib import Path

import segno
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse


class RefusedURL(ValueError):
    pass


class CertificateURLFetcher(URLFetcher):
    def __init__(self, *, media_names: frozenset[str] = frozenset(), storage=None):
        super().__init__(allow_redirects=False, timeout=2, allowed_protocols={"data"})
        self.media_names = media_names
        self.storage = storage or default_storage
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("cpd-static:"):
            path = finders.find(url.removeprefix("cpd-static:"))
            if path:
                return self._response(url, Path(path).read_bytes())
        elif url.startswith("cpd-media:"):
            name = url.removeprefix("cpd-media:")
            if name in self.media_names and self.storage.exists(name):
                with self.storage.open(name, "rb") as handle:
                    return self._response(url, handle.read())
        self.refused.append(url)
        raise RefusedURL(f"Certificates may not fetch {url!r}")

    @staticmethod
    def _response(url: str, body: bytes) -> URLFetcherResponse:
        content_type = mimetypes.guess_type(url.split(":", 1)[1])[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


@cache
def font_configuration() -> FontConfiguration:
    """One per process: building it loads fontconfig's cache, which is slow."""
    return FontConfiguration()


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=3, border=0)


def certificate_html(*, context: dict) -> str:
    return render_to_string("certificates/certificate.html", context)


def render_pdf(html: str, *, fetcher: CertificateURLFetcher) -> bytes:
    return HTML(string=html, url_fetcher=fetcher).write_pdf(
        font_config=font_configuration(),
        pdf_variant="pdf/ua-1",
        pdf_tags=True,
    )
