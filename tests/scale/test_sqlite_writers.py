"""The embedded default, SQLite, with several processes writing at once (a web process and a
worker, or two web processes): the site's settings (WAL, IMMEDIATE transactions, a busy
timeout) must make writers wait their turn, never fail with "database is locked". Each
transaction reads, then writes: with SQLite's default DEFERRED transactions that pattern
fails at once when two processes meet, whatever the timeout."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

WRITER = """
import os, sys, time
import django
django.setup()
from django.db import connection, transaction
if sys.argv[2] == "setup":
    with connection.cursor() as c:
        c.execute("CREATE TABLE scale_counter (n integer NOT NULL, who text)")
    sys.exit(0)
connection.ensure_connection()
ready = sys.argv[1] + ".ready." + sys.argv[2]
open(ready, "w").close()
while not os.path.exists(sys.argv[1] + ".go"):
    time.sleep(0.01)
for _ in range(int(sys.argv[3])):
    with transaction.atomic(), connection.cursor() as c:
        c.execute("SELECT coalesce(max(n), 0) FROM scale_counter")
        (n,) = c.fetchone()
        c.execute("INSERT INTO scale_counter (n, who) VALUES (%s, %s)", [n + 1, sys.argv[2]])
    time.sleep(0.002)  # the rest of a request's work, outside the transaction
print("done")
"""


def test_sqlite_two_processes_write_at_once_without_locking_errors(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="cpd.site.settings", CPD_VAR_DIR=str(tmp_path))
    base = str(tmp_path / "run")
    writes = 300
    # As in a deployment, the database exists (migrate ran) before the processes start.
    setup = subprocess.run(
        [sys.executable, "-c", WRITER, base, "setup", "0"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert setup.returncode == 0, setup.stderr
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, base, name, str(writes)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    deadline = time.monotonic() + 60
    while not all(os.path.exists(f"{base}.ready.{name}") for name in ("a", "b")):
        if time.monotonic() > deadline or any(w.poll() is not None for w in writers):
            Path(f"{base}.go").touch()  # let a waiting writer finish, then show both
            pytest.fail(f"a writer did not start: {[w.communicate(timeout=60) for w in writers]}")
        time.sleep(0.05)
    Path(f"{base}.go").touch()
    results = [w.communicate(timeout=120) for w in writers]

    assert [w.returncode for w in writers] == [0, 0], results
    assert [out for out, _err in results] == ["done\n", "done\n"]
    import sqlite3

    with sqlite3.connect(tmp_path / "cpd.sqlite3") as db:
        rows = db.execute("SELECT n, who FROM scale_counter ORDER BY n").fetchall()
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    # Every read-then-write saw the other's commits: the counter has no gaps or repeats.
    assert [n for n, _who in rows] == list(range(1, 2 * writes + 1))
    assert {who for _n, who in rows} == {"a", "b"}
    assert mode == "wal"
    # ... and the two really did take turns.
    turns = sum(1 for (_, x), (_, y) in zip(rows, rows[1:], strict=False) if x != y)
    assert turns >= 2
