"""The done-when walk: every demo login, on a 320 px phone and a 1280 px desktop, starts at
the page signing in lands on and follows the links of its navigation, as a person would.
Each page must pass axe (WCAG 2.2 A/AA), must not scroll sideways
(``document.documentElement.scrollWidth <= innerWidth``), must show a visible focus
indicator on each element reached by Tab (the first ``TAB_STOPS`` of them, to keep the
walk to a few minutes), and must be within two clicks of the home page. The pages visited
are printed for each login."""

import re

import pytest
from django.core.management import call_command

from tests.browser.support import (
    DESKTOP,
    assert_focus_visible,
    axe_violations,
    describe_violations,
    path_of,
    sign_in,
)
from tests.cpd.test_demo import LOGINS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE_320 = {"width": 320, "height": 740}
#: Tab stops checked on each page: the header, the navigation and the top of the page.
TAB_STOPS = 25

#: Pages each login must reach from its navigation (within two clicks of home), as
#: path patterns.
MUST_REACH = {
    "teacher@oakwood.test": [r"/training/", r"/certificates/"],
    "dsl@oakwood.test": [
        r"/training/", r"/certificates/", r"/schools/oakwood-primary/compliance/",
        r"/schools/oakwood-primary/staff/", r"/schools/oakwood-primary/bulletins/",
        r"/schools/oakwood-primary/records/", r"/schools/oakwood-primary/evidence/",
        r"/schools/oakwood-primary/requirements/", r"/schools/oakwood-primary/audit/",
    ],
    "head@oakwood.test": [
        r"/schools/oakwood-primary/compliance/", r"/schools/oakwood-primary/staff/",
        r"/schools/oakwood-primary/evidence/", r"/api-token/",
    ],
    "dsl@riverside.test": [
        r"/schools/riverside-academy/compliance/", r"/schools/riverside-academy/staff/",
    ],
    "trust@northfield.test": [r"/trusts/northfield/", r"/schools/"],
    "reviewer@northfield.test": [r"/course-statistics/"],
    "admin@northfield.test": [r"/schools/"],
}  # fmt: skip


@pytest.fixture
def demo(transactional_db, settings, media):
    settings.DEBUG = True
    call_command("cpd_demo")


def check(page, path: str) -> None:
    """axe, no sideways scroll at this width, no script or console errors, and a visible
    focus indicator on the first TAB_STOPS focusable elements."""
    page.wait_for_load_state("load")
    violations = axe_violations(page)
    width = page.viewport_size["width"]
    assert not violations, f"axe on {path} at {width} px:\n" + describe_violations(violations)
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{path} scrolls sideways at {width} px: {scroll} > {inner}"
    assert page.cpd_errors == [], f"Errors on {path}: {page.cpd_errors}"
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.evaluate("window.scrollTo(0, 0)")
    seen = set()
    for _ in range(TAB_STOPS):
        page.keyboard.press("Tab")
        key = page.evaluate(
            "() => { const el = document.activeElement;"
            " return el && el !== document.body ? el.outerHTML.slice(0, 120) : null; }"
        )
        if key is None or key in seen:
            break  # back to the top: every focusable element has been reached
        seen.add(key)
        assert_focus_visible(page)


def navigation_links(page) -> list[str]:
    """The service navigation's links on this page (same site only)."""
    hrefs = page.locator(".service-nav a").evaluate_all("links => links.map(a => a.href)")
    return [re.sub(r"^https?://[^/]+", "", href) for href in hrefs if href.startswith("http")]


@pytest.mark.parametrize("viewport", [PHONE_320, DESKTOP], ids=["320px", "1280px"])
def test_every_demo_login_walks_its_navigation(new_page, demo, viewport, capsys):
    report = []
    for email in LOGINS:
        page = new_page(viewport)
        sign_in(page, email, "cpd-demo")
        page.wait_for_url(re.compile(r"^https?://[^/]+/(trusts/[^/]+/)?$"))
        home = path_of(page)
        depth = {home: 0}
        check(page, home)
        queue = [(link, 1) for link in navigation_links(page)]
        while queue:
            link, clicks = queue.pop(0)
            if link in depth:
                continue
            depth[link] = clicks
            page.goto(link)  # the link's own address, taken from the page: following it
            if link == "/" and path_of(page) == home:
                continue  # "Home" is where signing in landed (a trust admin's trust)
            assert path_of(page) == link, f"{email}: {link} went to {path_of(page)}"
            check(page, link)
            # Every page's navigation leads only to pages already known to be one click
            # from home, or (once) to a page two clicks away.
            queue.extend((more, clicks + 1) for more in navigation_links(page) if more not in depth)
        assert max(depth.values()) <= 2, f"{email}: pages deeper than two clicks: {depth}"
        for pattern in MUST_REACH[email]:
            assert any(re.fullmatch(pattern, path) for path in depth), (
                f"{email} cannot reach {pattern} from the navigation: {sorted(depth)}"
            )
        report.append((email, sorted(depth, key=lambda p: (depth[p], p))))
    with capsys.disabled():
        print(f"\nPages visited at {viewport['width']} px, following the navigation from home:")
        for email, pages in report:
            print(f"  {email} ({len(pages)}): {' '.join(pages)}")
