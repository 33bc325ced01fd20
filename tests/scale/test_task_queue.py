"""The database task queue (TASKS_BACKEND=database, django-tasks-db) as `make run` and a
trust run it: enqueuing never renders in the caller, a worker does; failed tasks are retried
with backoff up to TASKS_MAX_ATTEMPTS, then left failed."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def queue_run(tmp_path_factory):
    var = tmp_path_factory.mktemp("queue")
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="cpd.site.settings",
        CPD_VAR_DIR=str(var),
        TASKS_BACKEND="database",
        TASKS_MAX_ATTEMPTS="3",
        TASKS_RETRY_DELAY="0",  # retry at once, so that one --batch run sees every attempt
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="CRITICAL",
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.scale.tasks_probe"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_database_queue_defers_certificate_rendering_to_a_worker(queue_run):
    assert queue_run["pdf_after_commit"] == ""
    assert queue_run["queued"] == [
        "certificates.tasks.certificate_email_task",
        "certificates.tasks.certificate_render_task",
    ]
    assert queue_run["pdf_hash_matches"] is True
    assert queue_run["certificates"] == 1


def test_database_queue_retries_a_failed_task_until_it_succeeds(queue_run):
    assert queue_run["flaky"] == ["SUCCESSFUL", 3, "succeeded on run 3"]


def test_database_queue_gives_up_after_max_attempts(queue_run):
    assert queue_run["broken"] == ["FAILED", 3]
    assert queue_run["statuses"] == ["FAILED", "SUCCESSFUL", "SUCCESSFUL", "SUCCESSFUL"]


def test_retry_delay_doubles_up_to_an_hour():
    from cpd.site.task_backend import RetryingDatabaseBackend

    backend = RetryingDatabaseBackend(
        "retry-test", {"OPTIONS": {"RETRY_DELAY": 10, "MAX_ATTEMPTS": 20}}
    )
    assert [backend.retry_delay_for(n) for n in (1, 2, 3, 4, 12)] == [10, 20, 40, 80, 3600]


def test_leases_put_back_only_tasks_whose_worker_stopped_answering(tmp_path):
    """A running task with no heartbeat for LEASE seconds goes back on the queue, due at
    once; one whose worker renewed its lease, or that was claimed a moment ago, stays. And
    a task enqueued inside a transaction lives or dies with it (cpd.queue)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="cpd.site.settings",
        CPD_VAR_DIR=str(tmp_path),
        TASKS_BACKEND="database",
        LOG_LEVEL="CRITICAL",
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.scale.lease_probe"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout) == {
        "lease": 30.0,
        "renewed": True,
        "swept": 2,
        "dead": "READY",
        "never_beat": "READY",
        "alive": "RUNNING",
        "just_claimed": "RUNNING",
        "dead_is_due": True,
        "second_sweep": 0,
        # Enqueued inside the transaction: gone with a rollback, kept with a commit.
        "enqueued": [1, 0, 1],
    }
