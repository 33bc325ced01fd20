"""Many learners passing at once on a production-shaped site: several gunicorn web
processes and several ``db_worker`` processes sharing one PostgreSQL database.

Runs only when CPD_TEST_DATABASE_URL points at PostgreSQL (``make test-postgres``, ``.ci/run``);
``tests/scale/conftest.py`` deselects it elsewhere, because SQLite on one machine is not what
it is about. It creates a database of its own on that server (``cpd_scale_<random>``),
migrates it, loads the learners with the ORM, and drops it at the end.
"""

import json
import os
import re
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection

import psycopg
import pytest

from tests.scale.processes import (
    Processes,
    free_port,
    manage,
    python,
    scratch_database,
    site_env,
    wait_healthy,
)

LEARNERS = 500
WEB_SERVERS = 2  # two gunicorn masters, as on two machines ...
WEB_WORKERS = 2  # ... of two processes each
QUEUE_WORKERS = 3
CLIENT_THREADS = 24
DOUBLE_SUBMIT_EVERY = 10  # every tenth learner double-clicks "Submit"

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

pytestmark = [pytest.mark.slow, pytest.mark.scale]


class Learner:
    """One browser: its cookies and a keep-alive connection to one web server."""

    def __init__(self, data: dict, base_url: str):
        self.data = data
        self.netloc = urllib.parse.urlsplit(base_url).netloc
        self.cookies = {"sessionid": data["session"]}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, dict, str]:
        conn = HTTPConnection(self.netloc, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, dict(response.headers), text
        finally:
            conn.close()

    def open_attempt(self) -> str:
        status, _headers, page = self.request("GET", self.data["path"])
        assert status == 200, (self.data["email"], status, page[:500])
        return _CSRF.search(page).group(1)

    def submit(self, token: str) -> int:
        fields = [("csrfmiddlewaretoken", token)]
        for name, choices in self.data["answers"].items():
            fields += [(name, str(choice)) for choice in choices]
        status, headers, page = self.request(
            "POST", self.data["path"], urllib.parse.urlencode(fields)
        )
        assert status == 302, (self.data["email"], status, page[:500])
        assert headers["Location"].endswith("/result/"), headers["Location"]
        return status


def _drain(database_url: str, processes: Processes, timeout: float) -> None:
    """Wait until every certificate has its PDF and the queue is empty."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(database_url, autocommit=True) as conn:
        while True:
            processes.check_alive()
            rendered = conn.execute(
                "SELECT count(*) FROM certificates_certificate WHERE pdf_sha256 <> ''"
            ).fetchone()[0]
            waiting = conn.execute(
                "SELECT count(*) FROM django_tasks_database_dbtaskresult"
                " WHERE status IN ('READY', 'RUNNING')"
            ).fetchone()[0]
            if rendered >= LEARNERS and waiting == 0:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{rendered} PDFs rendered, {waiting} tasks waiting")
            time.sleep(0.5)


def test_500_learners_pass_at_once_on_several_web_and_worker_processes(tmp_path):
    server = os.environ["CPD_TEST_DATABASE_URL"]
    started = time.monotonic()
    with scratch_database(server, "cpd_scale") as database_url, Processes(tmp_path) as procs:
        env = site_env(database_url=database_url, var_dir=tmp_path)
        manage("migrate", "--no-input", env=env)
        manage("collectstatic", "--no-input", "--verbosity", "0", env=env)
        out = tmp_path / "learners.json"
        python(
            "-m", "tests.scale.seed", "attempts", "--learners", str(LEARNERS), "--out", str(out),
            env=env,
        )  # fmt: skip
        learners = json.loads(out.read_text())
        assert len(learners) == LEARNERS

        urls = [
            procs.web(f"web{n}", port=free_port(), workers=WEB_WORKERS, env=env)
            for n in range(WEB_SERVERS)
        ]
        for n in range(QUEUE_WORKERS):
            procs.worker(f"worker{n}", env=env)
        for url in urls:
            wait_healthy(url, procs)
        setup_seconds = time.monotonic() - started

        errors: list[str] = []
        lock = threading.Lock()

        def one(index: int) -> None:
            learner = Learner(learners[index], urls[index % len(urls)])
            try:
                token = learner.open_attempt()
                if index % DOUBLE_SUBMIT_EVERY == 0:
                    with ThreadPoolExecutor(2) as twice:
                        list(twice.map(lambda _: learner.submit(token), range(2)))
                else:
                    learner.submit(token)
            except Exception as exc:  # noqa: BLE001 - collected and reported below
                with lock:
                    errors.append(f"{learners[index]['email']}: {exc!r}")

        submitting = time.monotonic()
        with ThreadPoolExecutor(CLIENT_THREADS) as pool:
            list(pool.map(one, range(LEARNERS)))
        submit_seconds = time.monotonic() - submitting
        print(f"\nscale: setup {setup_seconds:.0f} s, submissions {submit_seconds:.1f} s")
        assert errors == [], errors[:10]

        _drain(database_url, procs, timeout=240)
        drain_seconds = time.monotonic() - submitting
        report = json.loads(python("-m", "tests.scale.seed", "report", env=env).stdout)

    print(
        f"\nscale: setup {setup_seconds:.0f} s, {LEARNERS} submissions in {submit_seconds:.1f} s,"
        f" all PDFs stored {drain_seconds:.1f} s after the first submission;"
        f" tasks {report['tasks']}"
    )
    assert report["certificates"] == LEARNERS
    assert report["distinct_serials"] == LEARNERS
    assert report["enrolments_with_more_than_one"] == 0
    assert report["pdf_problems"] == []
    assert report["stored_pdf_files"] == LEARNERS
    assert report["attempts_submitted"] == LEARNERS
    assert report["attempts_passed"] == LEARNERS
    assert report["attempts_open"] == 0
    assert report["enrolments_completed"] == LEARNERS
    assert report["tasks"] == {"SUCCESSFUL": 2 * LEARNERS}  # one render, one email each
