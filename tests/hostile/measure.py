"""Run an endpoint's file handling in a separate process and measure it, as a web worker
would: peak resident memory of the whole process (Django loaded, as in a worker) and the
seconds the work took.

One Python process loads Django once, then forks a child per file, so that each file's
peak is its own; the child reports ``getrusage(RUSAGE_SELF).ru_maxrss`` (kilobytes on
Linux) when it is done. A child that runs past ``timeout`` is killed and reported as such.
"""

import json
import os
import pickle
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, os, pickle, resource, signal, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
import django
django.setup()
from tests.hostile.workers import WORKERS
jobs, timeout = pickle.load(sys.stdin.buffer)
results = []
for worker, name, content in jobs:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        signal.alarm(int(timeout))
        start = time.perf_counter()
        try:
            outcome = WORKERS[worker](name, content)
        except BaseException as exc:
            outcome = f"crashed: {type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        with os.fdopen(write, "w") as out:
            json.dump({"outcome": outcome, "seconds": seconds, "peak_mb": peak}, out)
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as answer:
        text = answer.read()
    _pid, status = os.waitpid(pid, 0)
    if text:
        results.append(json.loads(text))
    else:
        results.append({"outcome": f"killed (status {status})", "seconds": timeout,
                        "peak_mb": None})
json.dump(results, sys.stdout)
"""


@dataclass(frozen=True)
class Measured:
    outcome: str
    seconds: float
    peak_mb: float | None


def measure(jobs: list[tuple[str, str, bytes]], *, timeout: float = 30) -> list[Measured]:
    """Each job is (worker, file name, content); see ``workers.WORKERS``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        input=pickle.dumps((jobs, timeout)),
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=timeout * len(jobs) + 60,
        check=True,
    )
    return [Measured(**result) for result in json.loads(done.stdout)]
