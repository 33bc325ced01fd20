"""Servers of the fault suite's own, on free loopback ports, so that the shared PostgreSQL
(:5432) and Redis (:6379) are never touched: a PostgreSQL cluster made with ``initdb`` in a
temporary folder, a ``redis-server`` with no persistence, and moto's S3 stand-in behind a
switch that makes the bucket refuse writes."""

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psycopg


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server programs: Debian keeps them off the PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version(path: str) -> tuple[int, ...]:
    part = Path(path).parent.parent.name
    return tuple(int(x) for x in part.split(".") if x.isdigit())


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root (CI runs as root): run it as the postgres user."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


class PostgresCluster:
    def __init__(self, port: int):
        self.port = port
        self.bin = postgres_bin()
        if self.bin is None:
            raise RuntimeError(
                "The fault suite needs PostgreSQL's initdb (apt-get install postgresql)."
            )
        self.dir = Path(tempfile.mkdtemp(prefix="cpd-faults-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *command: str, timeout: float = 120) -> None:
        result = subprocess.run(
            _as_postgres([str(self.bin / command[0]), *command[1:]]),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {result.stderr[-2000:]}")

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--no-sync")  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w",
                  "-t", "60", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class RedisServer:
    def __init__(self, port: int):
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="cpd-faults-redis-"))
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        redis_server = shutil.which("redis-server")
        if redis_server is None:
            raise RuntimeError("The fault suite needs redis-server (apt-get install redis-server).")
        self.process = subprocess.Popen(
            [redis_server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        import redis

        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=1).ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class RefusingWrites:
    """WSGI middleware before moto: while ``refusing`` is set, every write (PUT, POST,
    DELETE) is answered as a bucket that refuses it, 403 AccessDenied; reads go through."""

    BODY = (
        b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
        b"<Message>Writes are refused (fault suite)</Message></Error>"
    )

    def __init__(self, app):
        self.app = app
        self.refusing = threading.Event()
        self.refused = 0

    def __call__(self, environ, start_response):
        if self.refusing.is_set() and environ["REQUEST_METHOD"] in {"PUT", "POST", "DELETE"}:
            self.refused += 1
            start_response(
                "403 Forbidden",
                [("Content-Type", "application/xml"), ("Content-Length", str(len(self.BODY)))],
            )
            return [self.BODY]
        return self.app(environ, start_response)


class S3StandIn:
    """moto's S3 server in a thread of this process, with the write switch in front."""

    def __init__(self, port: int):
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        self.port = port
        self.switch = RefusingWrites(DomainDispatcherApplication(create_backend_app))
        self.server = make_server(
            "127.0.0.1", port, self.switch, threaded=True, request_handler=MotoRequestHandler
        )
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
