"""Take the README's screenshots from a live demo server.

    python scripts/screenshots.py            # writes docs/screenshots/*.png

It builds the demo in a scratch folder (its own SQLite database and media, so your own
``var/`` is left alone), starts ``manage.py runserver`` on a free port, signs in as the
demo logins in the system Chromium (``$CPD_CHROMIUM``, default ``/usr/bin/chromium``, driven
by Playwright) and saves full-page PNGs. Nothing is downloaded."""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
PASSWORD = "cpd-demo"  # noqa: S105 - the demo's published password
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# (file name, login, path or None for where signing in lands, viewport)
SHOTS = [
    ("home-staff.png", "teacher@oakwood.test", None, PHONE),
    ("home-dsl.png", "dsl@oakwood.test", None, DESKTOP),
    ("dashboard.png", "dsl@oakwood.test", "/schools/oakwood-primary/compliance/", DESKTOP),
    ("certificate.png", "teacher@oakwood.test", "certificate", DESKTOP),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args, **kwargs):
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, **kwargs
    )


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own server
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"The demo server did not answer at {url}")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cpd-screenshots-") as scratch:
        env = {
            **os.environ,
            "DEBUG": "1",
            "CPD_VAR_DIR": scratch,
            "TASKS_BACKEND": "immediate",
            "DJANGO_SETTINGS_MODULE": "cpd.site.settings",
        }
        env.pop("DATABASE_URL", None)
        manage(env, "migrate", "--no-input", stdout=subprocess.DEVNULL)
        manage(env, "cpd_demo", stdout=subprocess.DEVNULL)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_for(f"{base}/health/")
            shoot(base)
        finally:
            server.terminate()
            server.wait(timeout=10)


def shoot(base: str) -> None:
    chromium = os.environ.get("CPD_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for name, email, path, viewport in SHOTS:
            context = browser.new_context(base_url=base, viewport=viewport)
            page = context.new_page()
            page.goto("/accounts/login/")
            page.get_by_label("Email address").fill(email)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(re.compile(r"^https?://[^/]+/(trusts/[^/]+/)?$"))
            if path == "certificate":
                page.goto("/certificates/")
                page.locator("table tbody th a").first.click()
            elif path:
                page.goto(path)
            page.wait_for_load_state("load")
            page.screenshot(path=OUT / name, full_page=True)
            print(f"{OUT / name}: {page.url.replace(base, '')}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
