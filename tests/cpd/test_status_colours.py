"""Status colours live in the stylesheets, one ``.status-<value>`` rule per status, each at
least 3:1 against white (WCAG 1.4.11); the page and the evidence pack's chart use them."""

import re
from datetime import date
from pathlib import Path

import pypdfium2
import pytest

from cpd.compliance.engine import Status
from cpd.compliance.evidence.building import export_summary_pdf
from cpd.compliance.evidence.selectors import STANDINGS, ExportFilters
from tests.factories import CourseVersionFactory, MembershipFactory, RequirementFactory

ROOT = Path(__file__).resolve().parents[2]
STYLESHEETS = ["cpd/static/cpd/cpd.css", "templates/cpd/evidence/evidence_summary.html"]
COLOURS = {
    "compliant": "#00703c",
    "due_soon": "#8a6100",
    "induction_due": "#5b3fa0",
    "in_progress": "#1d70b8",
    "not_started": "#6f777b",
    "expired": "#b3261e",
    "overdue": "#7a1b12",
}


def fills(path: str) -> dict[str, str]:
    text = (ROOT / path).read_text()
    return dict(
        re.findall(r"\.status-(\w+) \{ fill: (?:url\(#fill-\1\) )?(#[0-9a-f]{6}); \}", text)
    )


def contrast_with_white(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


@pytest.mark.parametrize("path", STYLESHEETS)
def test_each_status_has_one_fill_of_enough_contrast(path):
    assert fills(path) == COLOURS
    assert set(COLOURS) == set(Status.values)
    assert min(contrast_with_white(c) for c in COLOURS.values()) == pytest.approx(4.56, abs=0.01)


@pytest.mark.django_db
def test_evidence_summary_chart_draws_each_status_in_its_colour(school, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    version = CourseVersionFactory()
    RequirementFactory(course=version.course, renewal_months=12, induction_days=30)
    MembershipFactory(school=school, started_on=date(2020, 1, 1))  # overdue
    MembershipFactory(school=school, started_on=date(2026, 11, 20))  # in induction
    counts = dict.fromkeys(STANDINGS, 0)
    data = export_summary_pdf(
        school=school, filters=ExportFilters(), counts=counts, total=0, on=date(2026, 11, 27)
    )
    image = pypdfium2.PdfDocument(data)[0].render(scale=2).to_pil().convert("RGB")
    seen = {"#{:02x}{:02x}{:02x}".format(*rgb) for _, rgb in image.getcolors(1 << 20)}
    assert {s for s, colour in COLOURS.items() if colour in seen} == {"overdue", "induction_due"}


def test_each_status_on_the_page_has_its_colour_and_a_pattern_of_its_own():
    """Colour is never the only signal: every status's chart fill is its colour with a
    pattern no other status shares (templates/cpd/includes/chart_patterns.html)."""
    text = (ROOT / "templates/cpd/includes/chart_patterns.html").read_text()
    patterns = dict(re.findall(r'<pattern id="fill-(\w+)"[^>]*>(.*?)</pattern>', text))
    assert set(patterns) == set(COLOURS)
    for status, body in patterns.items():
        assert body.startswith(f'<rect width="2" height="2" fill="{COLOURS[status]}"/>'), status
    shapes = {body.split("/>", 1)[1] for body in patterns.values()}
    assert len(shapes) == len(COLOURS)
