"""What the browser tests share: the accessibility and reflow checks run on every page, and
keyboard helpers that move focus the way a keyboard user does (Tab, arrows, Space, Enter)."""

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page

# The WCAG 2.0, 2.1 and 2.2 level A and AA rules. Best-practice rules are not run.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
NARROWEST = 320  # WCAG 1.4.10 Reflow: no sideways scrolling at 320 CSS pixels.
HOME = re.compile(r"^https?://[^/]+/$")  # the home page, where signing in lands

_axe = Axe()


def watch_for_errors(page: Page) -> None:
    """Collect script errors, console errors (a Content-Security-Policy block shows up as
    one) and failed sub-resources (stylesheet, script, image) on ``page.cpd_errors``. A page
    answered with an error status on purpose, such as an unknown verification code, is not
    itself counted."""
    page.cpd_errors = []

    def on_console(message):
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            page.cpd_errors.append(f"console: {message.text}")

    def on_response(response):
        if response.status >= 400 and response.request.resource_type != "document":
            page.cpd_errors.append(f"{response.status} for {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: page.cpd_errors.append(f"script error: {exc}"))
    page.on("response", on_response)


def axe_violations(page: Page) -> list[dict]:
    results = _axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    return [v for v in results.response["violations"] if set(v["tags"]) & set(WCAG_TAGS)]


def describe_violations(violations: list[dict]) -> str:
    """Each violation's rule id, help text and the nodes it was found on, for a developer
    to fix."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f"\n  {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    at {target}\n       {node['html'][:200]}")
            if node.get("failureSummary"):
                summary = node["failureSummary"].replace("\n", "\n         ")
                lines.append(f"         {summary}")
    return "\n".join(lines)


def scroll_width_at(page: Page, width: int) -> int:
    """The document's scroll width with the viewport narrowed to ``width``. The viewport is
    put back afterwards."""
    before = page.viewport_size
    page.set_viewport_size({"width": width, "height": before["height"]})
    try:
        return page.evaluate("document.documentElement.scrollWidth")
    finally:
        page.set_viewport_size(before)


def path_of(page: Page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def check_page(page: Page, visited: list[str]) -> None:
    """What every page must pass: no WCAG A/AA violation found by axe, no sideways
    scrolling of the page at 320 px (a wide table scrolls inside its own region), no
    script, console or Content-Security-Policy errors, and no template syntax rendered as
    text. Records the page in ``visited``."""
    page.wait_for_load_state("load")
    path = path_of(page)
    violations = axe_violations(page)
    assert not violations, (
        f"axe found {len(violations)} WCAG A/AA violation(s) on {path}:\n"
        + describe_violations(violations)
    )
    width = scroll_width_at(page, NARROWEST)
    assert width <= NARROWEST, f"{path} scrolls sideways at {NARROWEST} px: scrollWidth {width}"
    assert page.cpd_errors == [], f"Errors while loading {path}: {page.cpd_errors}"
    leaked = re.findall(r"\{[{%#].{0,60}", page.inner_text("body"))
    assert leaked == [], f"Template syntax shows as text on {path}: {leaked}"
    visited.append(path)


# ---------------------------------------------------------------------------- keyboard


def is_focused(locator: Locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def focused_description(page: Page) -> str:
    return page.evaluate(
        "() => { const el = document.activeElement;"
        " return el ? el.outerHTML.slice(0, 160) : 'nothing'; }"
    )


# The focused element's outline, and the contrast of its text against the nearest opaque
# background behind it (WCAG 1.4.3 applies in the focused state too; axe only sees the page
# as it is when it runs).
_FOCUS_STYLE_JS = """() => {
  const el = document.activeElement;
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  let background = {r: 255, g: 255, b: 255, a: 1};
  for (let node = el; node; node = node.parentElement) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c && c.a > 0) { background = c; break; }
  }
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const style = getComputedStyle(el);
  const [hi, lo] = [lum(parse(style.color)), lum(background)].sort((x, y) => y - x);
  const isField = ["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName);
  const text = isField ? "" : (el.innerText || "").trim();
  return {
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
    textContrast: text ? Math.round(100 * (hi + 0.05) / (lo + 0.05)) / 100 : null,
  };
}"""


def assert_focus_visible(page: Page) -> None:
    """The focused element shows a focus indicator (an outline at least 2 px wide) and, if
    it has text, that text keeps a 4.5:1 contrast while focused."""
    style = page.evaluate(_FOCUS_STYLE_JS)
    where = focused_description(page)
    assert style["outlineStyle"] != "none" and style["outlineWidth"] >= 2, (
        f"No visible focus indicator ({style}) on {where}"
    )
    assert style["textContrast"] is None or style["textContrast"] >= 4.5, (
        f"Focused text contrast is {style['textContrast']}:1, below 4.5:1, on {where}"
    )


def tab_to(page: Page, target: Locator, *, limit: int = 80) -> None:
    """Press Tab until ``target`` has focus, as a keyboard user would, checking that every
    element focused on the way shows a focus indicator."""
    target.wait_for()
    for _ in range(limit):
        page.keyboard.press("Tab")
        assert_focus_visible(page)
        if is_focused(target):
            return
    raise AssertionError(
        f"{limit} presses of Tab never reached {target}; focus is on {focused_description(page)}"
    )


def choose_by_keyboard(page: Page, name: str, values: set[str]) -> None:
    """With focus on the first control of a radio group or checkbox group called ``name``,
    select exactly ``values`` from the keyboard. Radios: arrow keys move and select, as in
    every browser. Checkboxes: Space ticks the focused box, Tab moves to the next."""
    first = page.evaluate("() => document.activeElement.type")
    if first == "radio":
        [wanted] = values
        for _ in range(20):
            if page.evaluate("() => document.activeElement.value") == wanted:
                page.keyboard.press("Space")
                break
            page.keyboard.press("ArrowDown")
        else:
            raise AssertionError(f"Arrow keys never reached choice {wanted} of {name}")
        assert page.locator(f"input[name='{name}']:checked").evaluate("el => el.value") == wanted
        return
    boxes = page.locator(f"input[name='{name}']")
    for index in range(boxes.count()):
        if index:
            page.keyboard.press("Tab")
        assert is_focused(boxes.nth(index)), focused_description(page)
        assert_focus_visible(page)
        if page.evaluate("() => document.activeElement.value") in values:
            page.keyboard.press("Space")
    checked = {el.get_attribute("value") for el in boxes.all() if el.is_checked()}
    assert checked == values


# ---------------------------------------------------------------------------- signing in


def sign_in_by_keyboard(page: Page, email: str, password: str, visited: list[str]) -> None:
    """Sign in from the login page with the keyboard alone: Tab to each field (staying put
    if the page already put focus there), type, and press Enter on the button."""
    page.goto("/accounts/login/")
    check_page(page, visited)
    email_field = page.get_by_label("Email address")
    if not is_focused(email_field):
        tab_to(page, email_field)
    assert_focus_visible(page)
    page.keyboard.type(email)
    tab_to(page, page.get_by_label("Password"))
    page.keyboard.type(password)
    tab_to(page, page.get_by_role("button", name="Sign in"))
    page.keyboard.press("Enter")


def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in with the mouse, for journeys whose subject is not the keyboard."""
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
