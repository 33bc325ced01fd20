"""The production tasks backend: django-tasks-db's database queue, with retries.

django-tasks-db runs each task once and marks it failed if it raises. Every task in this
project is idempotent (it re-fetches by id and its service keeps the first result), so a
failed task is safe to run again. This backend puts a failed task back on the queue, on the
same row, after an exponential backoff, until it has been tried ``MAX_ATTEMPTS`` times; the
attempts are the worker ids the row collects. A task left ``RUNNING`` by a worker that died
(power cut, OOM kill) is put back on the queue once it is older than ``STALE_AFTER`` seconds,
checked by any worker when it starts a task.

    TASKS = {"default": {
        "BACKEND": "cpd.site.task_backend.RetryingDatabaseBackend",
        "OPTIONS": {"MAX_ATTEMPTS": 5, "RETRY_DELAY": 10, "STALE_AFTER": 600},
    }}
"""

import logging
import time
from datetime import timedelta

from django.tasks import TaskResultStatus
from django.tasks.signals import task_finished, task_started
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend

logger = logging.getLogger("cpd.tasks")


class RetryingDatabaseBackend(DatabaseBackend):
    def __init__(self, alias: str, params: dict) -> None:
        options = dict(params.get("OPTIONS", {}))
        self.max_attempts = int(options.pop("MAX_ATTEMPTS", 5))
        self.retry_delay = float(options.pop("RETRY_DELAY", 10))
        self.stale_after = float(options.pop("STALE_AFTER", 600))
        super().__init__(alias, {**params, "OPTIONS": options})
        self._last_sweep = 0.0
        task_finished.connect(
            self._retry_failed, sender=type(self), dispatch_uid=f"cpd.tasks.retry.{alias}"
        )
        task_started.connect(
            self._requeue_stale, sender=type(self), dispatch_uid=f"cpd.tasks.stale.{alias}"
        )

    def retry_delay_for(self, attempts: int) -> float:
        """Seconds to wait before attempt ``attempts + 1``: 10, 20, 40, … capped at an hour."""
        return min(self.retry_delay * 2 ** max(attempts - 1, 0), 3600)

    def _retry_failed(self, sender, task_result, **kwargs) -> None:
        if task_result.backend != self.alias or task_result.status != TaskResultStatus.FAILED:
            return
        from django_tasks_db.models import DBTaskResult

        attempts = len(task_result.worker_ids)
        if attempts >= self.max_attempts:
            logger.error(
                "Task %s (%s) failed %d times; giving up",
                task_result.id,
                task_result.task.name,
                attempts,
            )
            return
        delay = self.retry_delay_for(attempts)
        DBTaskResult.objects.filter(id=task_result.id, status=TaskResultStatus.FAILED).update(
            status=TaskResultStatus.READY,
            run_after=timezone.now() + timedelta(seconds=delay),
            finished_at=None,
        )
        logger.warning(
            "Task %s (%s) failed on attempt %d; retrying in %.0f s",
            task_result.id,
            task_result.task.name,
            attempts,
            delay,
        )

    def _requeue_stale(self, sender, task_result, **kwargs) -> None:
        if time.monotonic() - self._last_sweep < 60:
            return
        self._last_sweep = time.monotonic()
        from django_tasks_db.models import DBTaskResult

        cutoff = timezone.now() - timedelta(seconds=self.stale_after)
        stale = (
            DBTaskResult.objects.running()
            .filter(backend_name=self.alias, started_at__lt=cutoff)
            .exclude(id=task_result.id)
        )
        if count := stale.update(status=TaskResultStatus.READY, run_after=timezone.now()):
            logger.warning("Put %d stale running task(s) back on the queue", count)
