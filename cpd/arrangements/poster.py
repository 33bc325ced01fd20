"""The "Worried about a child?" poster (A4, for the staffroom) and wallet card (for a
lanyard), rendered by WeasyPrint from the school's arrangements.

The renderer may fetch nothing at all but the one ``data:`` URI made here from the
school's logo: no file, no network, whatever a field might contain."""

import base64

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from cpd.arrangements.selectors import SchoolSheet
from cpd.uploads import sniff


class OnlyOwnData(URLFetcher):
    """Serves only the data URIs this render made; refuses everything else."""

    def __init__(self, allowed: frozenset[str]):
        super().__init__(allow_redirects=False, timeout=2, allowed_protocols=set())
        self.allowed = allowed

    def fetch(self, url, headers=None):
        if url not in self.allowed:
            raise ValueError(f"The poster may not fetch {url[:100]!r}")
        header, _sep, payload = url.removeprefix("data:").partition(",")
        return URLFetcherResponse(
            url, base64.b64decode(payload), {"Content-Type": header.split(";")[0]}
        )


def _image_uri(field) -> str:
    """A stored PNG or JPEG as a data: URI (checked by its content); empty otherwise."""
    if not field:
        return ""
    try:
        with field.open("rb") as handle:
            data = handle.read()
    except OSError:
        return ""
    kind = sniff(data)
    if kind not in {"png", "jpg"}:
        return ""
    mime = "image/png" if kind == "png" else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def sheet_pdf(*, sheet: SchoolSheet, template: str) -> bytes:
    """``cpd/arrangements/poster.html`` or ``card.html`` for one school, as a PDF."""
    logo = _image_uri(sheet.school.logo)
    for lead in sheet.leads:
        lead.photo_uri = _image_uri(lead.photo)
    html = render_to_string(template, {"sheet": sheet, "school": sheet.school, "logo": logo})
    allowed = {logo, *(lead.photo_uri for lead in sheet.leads)} - {""}
    fetcher = OnlyOwnData(frozenset(allowed))
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
