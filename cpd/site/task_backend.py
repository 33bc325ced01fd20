"""The production tasks backend: django-tasks-db's database queue, with retries and leases.

django-tasks-db runs each task once and marks it failed if it raises. Every task in this
project is idempotent (it re-fetches by id and its service keeps the first result), so a
task is safe to run again. This backend adds two things:

- **Retries.** A failed task goes back on the queue, on the same row, after an exponential
  backoff, until it has been tried ``MAX_ATTEMPTS`` times; the attempts are the worker ids
  the row collects.
- **Leases.** While a task runs, its worker renews a lease on it every ``HEARTBEAT`` seconds
  (``manage.py db_worker``, ``cpd/management/commands/db_worker.py``), and every worker
  sweeps the queue every ``SWEEP_EVERY`` seconds, on a timer whether or not it has work,
  putting back on the queue any running task whose lease is older than ``LEASE`` seconds:
  its worker died (power cut, OOM kill, ``kill -9``) or lost the database. So a killed
  worker's task runs again within ``LEASE + SWEEP_EVERY`` seconds (40 by default) even on
  an idle queue.

The lease is kept in the row itself: while a task is ``RUNNING`` django-tasks-db has no use
for ``run_after`` (it only says when a ``READY`` task may start), so the worker writes its
last heartbeat there (with the worker's clock, as django-tasks-db writes ``started_at``;
keep the machines' clocks in step, as NTP does, well within ``LEASE``).

    TASKS = {"default": {
        "BACKEND": "cpd.site.task_backend.RetryingDatabaseBackend",
        "OPTIONS": {"MAX_ATTEMPTS": 5, "RETRY_DELAY": 10, "LEASE": 30, "HEARTBEAT": 5,
                    "SWEEP_EVERY": 10},
    }}
"""

import logging
from datetime import timedelta

from django.db.models import Q
from django.tasks import TaskResultStatus
from django.tasks.signals import task_finished
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend

logger = logging.getLogger("cpd.tasks")


class RetryingDatabaseBackend(DatabaseBackend):
    #: The queue is a table in the site's own database: a task enqueued inside a
    #: transaction commits with it or not at all (``cpd.queue.enqueue_after_commit``).
    enqueues_in_transaction = True

    def __init__(self, alias: str, params: dict) -> None:
        options = dict(params.get("OPTIONS", {}))
        self.max_attempts = int(options.pop("MAX_ATTEMPTS", 5))
        self.retry_delay = float(options.pop("RETRY_DELAY", 10))
        self.lease = float(options.pop("LEASE", 30))
        self.heartbeat = float(options.pop("HEARTBEAT", 5))
        self.sweep_every = float(options.pop("SWEEP_EVERY", 10))
        super().__init__(alias, {**params, "OPTIONS": options})
        task_finished.connect(
            self._retry_failed, sender=type(self), dispatch_uid=f"cpd.tasks.retry.{alias}"
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

    def renew_lease(self, task_id) -> bool:
        """The running task's heartbeat: its worker is alive and still on it."""
        from django_tasks_db.models import DBTaskResult

        return bool(
            DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
                run_after=timezone.now()
            )
        )

    def requeue_expired(self) -> int:
        """Put back on the queue every running task whose lease has expired: started more
        than ``LEASE`` seconds ago and no heartbeat for as long. Returns how many."""
        from django_tasks_db.models import DBTaskResult, get_date_max

        now = timezone.now()
        cutoff = now - timedelta(seconds=self.lease)
        expired = (
            DBTaskResult.objects.running()
            .filter(backend_name=self.alias, started_at__lt=cutoff)
            .filter(Q(run_after__lt=cutoff) | Q(run_after=get_date_max()))
        )
        if count := expired.update(status=TaskResultStatus.READY, run_after=now):
            logger.warning(
                "Put %d running task(s) whose worker stopped answering back on the queue",
                count,
            )
        return count
