"""Run the site as production runs it, on this machine: a PostgreSQL database of its own,
gunicorn web processes and ``db_worker`` processes. Used by the scale test and by
``benchmarks/load/run.py``; everything listens on 127.0.0.1 only."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[2]


def is_postgres_url(url: str | None) -> bool:
    return bool(url) and urlsplit(url).scheme in {"postgres", "postgresql", "pgsql"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextmanager
def scratch_database(server_url: str, prefix: str):
    """Create ``<prefix>_<random>`` on the server ``server_url`` points at; drop it after."""
    import psycopg

    name = f"{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(server_url, name)
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def site_env(*, database_url: str, var_dir: Path, **extra: str) -> dict:
    """Production settings (DEBUG off, database task queue, JSON logs), on loopback HTTP."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "CPD_TEST_DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cpd.site.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CSRF_TRUSTED_ORIGINS="http://127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        CPD_BASE_URL="http://127.0.0.1",
        DATABASE_URL=database_url,
        CPD_VAR_DIR=str(var_dir),
        TASKS_BACKEND="database",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        LOG_LEVEL="WARNING",
        # Hashed names as in production, without WhiteNoise's compression: collectstatic in
        # one second instead of a minute. Pages are what these runs measure.
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
        PYTHONPATH=str(REPO),
    )
    env.update(extra)
    return env


def manage(*args: str, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-4000:]}")
    return result


def python(*args: str, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise RuntimeError(f"python {' '.join(args)} failed:\n{result.stderr[-4000:]}")
    return result


class Processes:
    """Background processes, each logging to a file; stopped (TERM, then KILL) on exit."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.running: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running.append((name, process))
        return process

    def web(self, name: str, *, port: int, workers: int, env: dict) -> str:
        self.start(
            name,
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "cpd.site.wsgi"],
            {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)},
        )
        return f"http://127.0.0.1:{port}"

    def worker(self, name: str, *, env: dict, interval: float = 0.2) -> None:
        self.start(
            name,
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--interval",
                str(interval),
                "--worker-id",
                name,
                "--verbosity",
                "0",
            ],
            env,
        )

    def check_alive(self) -> None:
        for name, process in self.running:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.tail(name)}")

    def tail(self, name: str, size: int = 3000) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace")[-size:] if path.exists() else ""

    def stop(self) -> None:
        for _name, process in self.running:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _name, process in self.running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.running.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def wait_healthy(base_url: str, processes: Processes, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        processes.check_alive()
        try:
            with urllib.request.urlopen(f"{base_url}/health/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{base_url}/health/ did not answer 200 in {timeout} s")
        time.sleep(0.3)
