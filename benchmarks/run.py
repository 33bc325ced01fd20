"""`make bench`: run every benchmarks/bench_*.py module's ``run()`` and report.

``run.py compliance import`` runs only the modules named (bench_compliance.py and
bench_import.py here) and writes the report as ``reports/partial.json`` instead.

Sets Django up on its own — the standalone site's settings with a throwaway SQLite
database and media folder in a temporary directory — so it never touches ./var. Each
``run()`` returns a list of result dicts::

    {"name": str, "value": float, "unit": str, "target": str, "ok": bool | None}

The table is printed and written, with the machine's details, to
benchmarks/reports/latest.json.
"""

import importlib.util
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def setup_django(workdir: Path) -> None:
    """Point the standalone site's settings at ``workdir`` and migrate a fresh database.
    Also used by benchmark subprocesses, which pass the same directory."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "cpd.site.settings",
            "DEBUG": "false",
            "SECRET_KEY": "benchmark-only-" + "x" * 40,
            "ALLOWED_HOSTS": "localhost",
            "CPD_VAR_DIR": str(workdir),
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "MEDIA_ROOT": str(workdir / "media"),
            "STATIC_ROOT": str(workdir / "static"),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "CPD_BASE_URL": "https://cpd.example.org",
            "LOG_LEVEL": "ERROR",
            "TASKS_BACKEND": "immediate",
            # Pages render without collectstatic (no manifest to look names up in).
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        }
    )
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def load_modules(names: list[str] | None = None) -> list:
    paths = sorted(HERE.glob("bench_*.py"))
    if names:
        unknown = set(names) - {path.stem.removeprefix("bench_") for path in paths}
        if unknown:
            raise SystemExit(f"No benchmark module named {', '.join(sorted(unknown))}.")
        paths = [path for path in paths if path.stem.removeprefix("bench_") in names]
    modules = []
    for path in paths:
        spec = importlib.util.spec_from_file_location(f"benchmarks.{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules.append(module)
    return modules


def table(results: list[dict]) -> str:
    """One line a result; ``cpu`` is the process's CPU time where a module gives it."""
    rows = [("benchmark", "value", "cpu", "target", "ok")]
    for r in results:
        ok = {True: "yes", False: "NO", None: "–"}[r.get("ok")]
        cpu = f"{r['cpu_ms']:.1f} ms" if "cpu_ms" in r else ""
        value = f"{r['value']:.3f} {r['unit']}"
        rows.append((r["name"], value, cpu, r.get("target", ""), ok))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(names: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="cpd-bench-") as tmp:
        workdir = Path(tmp)
        setup_django(workdir)
        migrate()
        results = []
        started = time.perf_counter()
        for module in load_modules(names):
            print(f"Running {module.__name__} …", flush=True)
            results.extend(module.run(workdir=workdir))
        elapsed = time.perf_counter() - started
    print()
    print(table(results))
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
        "seconds": round(elapsed, 1),
        "results": results,
    }
    (HERE / "reports").mkdir(exist_ok=True)
    written = HERE / "reports" / ("partial.json" if names else "latest.json")
    written.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nWritten to {written}")
    return 0 if all(r.get("ok") is not False for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
