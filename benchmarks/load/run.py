"""`make load`: an INSET morning against the site as a trust runs it, on this machine only.

1. Creates a scratch database ``cpd_load_<random>`` on the PostgreSQL server at
   $LOAD_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), migrates it,
   loads the shipped courses and the KCSIE rules, and seeds schools, staff and DSLs. The
   site's shared cache (sessions, rate limits) is the Redis at $LOAD_CACHE_URL (default
   redis://127.0.0.1:6379/0), as in a trust's deployment.
2. Starts gunicorn (deploy/gunicorn.conf.py, $LOAD_WEB_WORKERS processes) and
   $LOAD_QUEUE_WORKERS ``db_worker`` processes, all on 127.0.0.1.
3. Runs locust headless: $LOAD_USERS users (default 30) for $LOAD_SECONDS (default 60) of
   staff completing the induction course while DSLs watch the dashboard; then
   $LOAD_BASELINE_ROUNDS baseline rounds, each the lesson page alone and then a trivial
   view alone for $LOAD_BASELINE_SECONDS each.
4. Prints requests per second, p50/p95/p99 per page, errors, and the lesson page's
   throughput as a ratio to the trivial view's: the median of the rounds' ratios, since
   the two halves of a round see the same machine and a noisy neighbour moves neither
   alone. Writes them to var/load/report.json; drops the database.
"""

import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.scale.processes import (  # noqa: E402
    Processes,
    free_port,
    manage,
    python,
    scratch_database,
    site_env,
    wait_healthy,
)

USERS = int(os.environ.get("LOAD_USERS", "30"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
BASELINE_USERS = int(os.environ.get("LOAD_BASELINE_USERS", "8"))
BASELINE_SECONDS = int(os.environ.get("LOAD_BASELINE_SECONDS", "12"))
BASELINE_ROUNDS = int(os.environ.get("LOAD_BASELINE_ROUNDS", "3"))
WEB_WORKERS = int(os.environ.get("LOAD_WEB_WORKERS", "3"))
QUEUE_WORKERS = int(os.environ.get("LOAD_QUEUE_WORKERS", "2"))
SERVER = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
CACHE = os.environ.get("LOAD_CACHE_URL", "redis://127.0.0.1:6379/0")
OUT = REPO / "var" / "load"


def locust(users: list[str], *, count: int, seconds: int, host: str, csv_prefix: Path, env):
    """One bounded, headless locust run against the loopback host."""
    assert host.startswith("http://127.0.0.1:"), host
    command = [
        sys.executable, "-m", "locust", "-f", "benchmarks/load/locustfile.py", "--headless",
        "--users", str(count), "--spawn-rate", str(max(count // 3, 1)),
        "--run-time", f"{seconds}s", "--stop-timeout", "10", "--host", host,
        "--csv", str(csv_prefix), "--only-summary", "--loglevel", "WARNING", *users,
    ]  # fmt: skip
    result = subprocess.run(  # noqa: S603 - our own fixed command line
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=seconds + 120
    )
    # Locust exits 1 when any request failed; the figures below say which.
    if result.returncode not in (0, 1):
        raise RuntimeError(f"locust failed:\n{result.stderr[-3000:]}")
    pages = read_stats(Path(f"{csv_prefix}_stats.csv"))
    # Exceptions in a user's journey (a page without the form it should have) are errors too.
    with Path(f"{csv_prefix}_exceptions.csv").open() as f:
        pages["Aggregated"]["exceptions"] = [
            f"{row['Count']} x {row['Message']}" for row in csv.DictReader(f)
        ]
    return pages


def read_stats(path: Path) -> dict:
    pages = {}
    with path.open() as f:
        for row in csv.DictReader(f):
            pages[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "p99_ms": float(row["99%"] or 0),
            }
    return pages


def table(pages: dict) -> str:
    lines = [
        f"{'page':<28} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'p99 ms':>7}"
    ]
    for name, p in pages.items():
        lines.append(
            f"{name:<28} {p['requests']:>8} {p['failures']:>6} {p['rps']:>7.1f} "
            f"{p['p50_ms']:>7.0f} {p['p95_ms']:>7.0f} {p['p99_ms']:>7.0f}"
        )
    return "\n".join(lines)


def check_cache(url: str) -> None:
    """The shared cache a trust runs (sessions, rate limits) must answer before we start."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        raise SystemExit(
            f"make load needs Redis at {url} (LOAD_CACHE_URL), as a trust's site does: {exc}"
        ) from None


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    check_cache(CACHE)
    work = Path(tempfile.mkdtemp(prefix="cpd-load-"))
    started = time.monotonic()
    with scratch_database(SERVER, "cpd_load") as database_url, Processes(work) as procs:
        env = site_env(
            database_url=database_url,
            var_dir=work,
            DJANGO_SETTINGS_MODULE="benchmarks.load.settings",
            LOG_REQUESTS="false",
            CACHE_URL=CACHE,
        )
        manage("migrate", "--no-input", env=env)
        manage("collectstatic", "--no-input", "--verbosity", "0", env=env)
        manage("cpd_load_courses", env=env)
        manage("cpd_load_rules", "kcsie", env=env)
        data_file = work / "people.json"
        python("-m", "tests.scale.seed", "people", "--out", str(data_file), env=env)
        data = json.loads(data_file.read_text())

        host = procs.web("web", port=free_port(), workers=WEB_WORKERS, env=env)
        for n in range(QUEUE_WORKERS):
            procs.worker(f"worker{n}", env=env)
        wait_healthy(host, procs)
        print(
            f"Seeded {len(data['schools'])} schools, {len(data['staff'])} staff in "
            f"{time.monotonic() - started:.0f} s; gunicorn with {WEB_WORKERS} workers and "
            f"{QUEUE_WORKERS} db_worker processes at {host}",
            flush=True,
        )

        locust_env = {**os.environ, "LOAD_DATA": str(data_file)}
        print(f"INSET morning: {USERS} users for {SECONDS} s ...", flush=True)
        inset = locust(
            ["StaffMember", "Dsl"],
            count=USERS,
            seconds=SECONDS,
            host=host,
            csv_prefix=work / "inset",
            env=locust_env,
        )
        print(
            f"Baseline: {BASELINE_ROUNDS} rounds of the lesson page, then the trivial view, "
            f"{BASELINE_SECONDS} s each ...",
            flush=True,
        )
        rounds = []
        for n in range(BASELINE_ROUNDS):
            phases = []
            for user, page, name in (
                ("LessonReader", "lesson", "lesson (baseline)"),
                ("TrivialReader", "trivial", "trivial view"),
            ):
                pages = locust(
                    [user],
                    count=BASELINE_USERS,
                    seconds=BASELINE_SECONDS,
                    host=host,
                    csv_prefix=work / f"{page}{n}",
                    env=locust_env,
                )
                # A reader that could not start (an exception) is an error too.
                failures = pages["Aggregated"]["failures"] + sum(
                    int(e.split(" x ")[0]) for e in pages["Aggregated"]["exceptions"]
                )
                phases.append({**pages[name], "failures": failures})
            rounds.append(tuple(phases))
        procs.check_alive()
        queue = python(
            "-c",
            "import django; django.setup();"
            "from django_tasks_db.models import DBTaskResult as T;"
            "from django.db.models import Count;"
            "print(dict(T.objects.values_list('status').annotate(n=Count('pk')).order_by()))",
            env=env,
        ).stdout.strip()

    total = inset.pop("Aggregated")
    ratios = [lesson["rps"] / trivial["rps"] for lesson, trivial in rounds if trivial["rps"]]
    ratio = round(statistics.median(ratios), 3) if ratios else 0
    report = {
        "command": "make load",
        "users": USERS,
        "seconds": SECONDS,
        "web_workers": WEB_WORKERS,
        "queue_workers": QUEUE_WORKERS,
        "cores": os.cpu_count(),
        "requests_per_second": total["rps"],
        "requests": total["requests"],
        "errors": total["failures"] + sum(int(e.split(" x ")[0]) for e in total["exceptions"]),
        "exceptions": total["exceptions"],
        "pages": inset,
        "baseline": {
            "users": BASELINE_USERS,
            "seconds": BASELINE_SECONDS,
            "rounds": [
                {
                    "lesson_rps": lesson["rps"],
                    "lesson_p50_ms": lesson["p50_ms"],
                    "lesson_errors": lesson["failures"],
                    "trivial_rps": trivial["rps"],
                    "trivial_p50_ms": trivial["p50_ms"],
                    "trivial_errors": trivial["failures"],
                    "ratio": round(lesson["rps"] / trivial["rps"], 3) if trivial["rps"] else 0,
                }
                for lesson, trivial in rounds
            ],
            "lesson_to_trivial_ratio": ratio,
        },
        "tasks_at_end": queue,
    }
    (OUT / "report.json").write_text(json.dumps(report, indent=2))

    print()
    print(table(inset))
    print(
        f"\nINSET morning: {total['rps']:.1f} requests/s, {total['requests']} requests, "
        f"{report['errors']} errors (target 0)"
    )
    for line in total["exceptions"]:
        print(f"  error: {line}")
    for n, entry in enumerate(report["baseline"]["rounds"], start=1):
        print(
            f"Round {n}: lesson page {entry['lesson_rps']:.1f} req/s, trivial view "
            f"{entry['trivial_rps']:.1f} req/s, ratio {entry['ratio']:.3f}, errors "
            f"{entry['lesson_errors'] + entry['trivial_errors']}"
        )
    print(f"Lesson page to trivial view, median of the rounds: {ratio:.2f} (target >= 0.15)")
    print(f"Task queue at the end: {queue}")
    print(f"Report: {OUT / 'report.json'}")
    baseline_errors = sum(
        r["lesson_errors"] + r["trivial_errors"] for r in report["baseline"]["rounds"]
    )
    ok = report["errors"] == 0 and baseline_errors == 0 and ratio >= 0.15
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
