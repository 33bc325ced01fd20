"""Browser tests: headless system Chromium driven by Playwright against pytest-django's live
server, with an axe-core scan of every page visited.

The suite never downloads a browser. It uses the Chromium at ``$CPD_CHROMIUM`` (default
``/usr/bin/chromium``) and fails, rather than skips, when it is missing, so that a machine
without it cannot pass ``make test`` by accident.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in the test thread, and Django refuses
# ORM calls from a thread with a running loop. The calls here are plain synchronous ones made
# between browser steps, never from inside the loop, so the guard can be lifted.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

from tests.browser.support import PHONE, watch_for_errors  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


class Chromium:
    """The system Chromium, started on first use, inside the test itself: a missing browser
    then fails the test (with what to install) rather than erroring in setup or skipping."""

    def __init__(self):
        self._playwright = None
        self._browser = None

    def get(self) -> Browser:
        if self._browser is None:
            executable = os.environ.get("CPD_CHROMIUM", "/usr/bin/chromium")
            if not (Path(executable).is_file() and os.access(executable, os.X_OK)):
                pytest.fail(
                    f"Chromium was not found at {executable}. The browser tests need it: "
                    "install it with `apt-get install -y chromium`, or set CPD_CHROMIUM to a "
                    "Chromium binary. (Do not run `playwright install`: the suite never "
                    "downloads a browser.)",
                    pytrace=False,
                )
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS
            )
        return self._browser

    def close(self) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()


@pytest.fixture(scope="module")
def chromium():
    """One browser per test module. Module scope, not session: Playwright's event loop stops
    with it, so tests collected after this folder run without one."""
    chromium = Chromium()
    yield chromium
    chromium.close()


@pytest.fixture
def new_page(chromium, live_server):
    """Open a page in a fresh browser context (its own cookies) at the given viewport.
    Every context is closed at the end of the test."""
    contexts = []

    def _new_page(viewport=PHONE) -> Page:
        context = chromium.get().new_context(
            base_url=live_server.url, viewport=viewport, accept_downloads=True
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        watch_for_errors(page)
        return page

    yield _new_page
    for context in contexts:
        context.close()
