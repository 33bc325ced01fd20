"""``manage.py db_worker``: django-tasks-db's worker, made to ride out faults.

It replaces django-tasks-db's command of the same name (``cpd`` comes before
``django_tasks_db`` in ``INSTALLED_APPS``) and takes the same options. On top of it:

- a lease keeper thread renews the running task's lease every ``HEARTBEAT`` seconds and,
  every ``SWEEP_EVERY`` seconds, whether or not this worker has work, puts back on the queue
  any task whose worker died (``cpd/site/task_backend.py``);
- losing the database (PostgreSQL restarting, a failover) no longer ends the process: the
  worker logs it once a minute, waits, reconnects and carries on, putting the task it was
  running when the database went straight back on the queue (a worker that dies instead
  leaves it to its lease).
"""

import logging
import threading
import time

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.tasks import task_backends
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from cpd.site.task_backend import RetryingDatabaseBackend

logger = logging.getLogger("cpd.tasks")

#: How often a worker that cannot reach the database says so.
LOG_EVERY = 60.0


class _Throttled:
    """Log a recurring problem at most once every ``LOG_EVERY`` seconds."""

    def __init__(self) -> None:
        self.last = float("-inf")

    def warning(self, message: str, *args) -> None:
        if time.monotonic() - self.last >= LOG_EVERY:
            self.last = time.monotonic()
            logger.warning(message, *args)


class LeasedWorker(Worker):
    def __init__(self, *, backend: RetryingDatabaseBackend | None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.backend = backend
        self.current_task_id = None
        self._unfinished = None
        self._stop = threading.Event()
        self._database_down = _Throttled()
        self._keeper_down = _Throttled()

    def run(self) -> None:
        keeper = None
        if self.backend is not None:
            keeper = threading.Thread(target=self._keep, name="lease-keeper", daemon=True)
            keeper.start()
        try:
            while self.running:
                try:
                    self._requeue_unfinished()
                    return super().run()
                except (OperationalError, InterfaceError) as exc:
                    self._database_down.warning(
                        "Worker %s cannot reach the database (%s); retrying",
                        self.worker_id,
                        type(exc).__name__,
                    )
                    connections.close_all()
                    time.sleep(max(self.interval, 1.0))
        finally:
            self._stop.set()
            if keeper is not None:
                keeper.join(timeout=5)

    def run_task(self, db_task_result) -> None:
        self.current_task_id = db_task_result.id
        try:
            if self.backend is not None:
                self.backend.renew_lease(db_task_result.id)
            super().run_task(db_task_result)
        except (OperationalError, InterfaceError):
            # The database went while the task ran and its result could not be recorded.
            self._unfinished = db_task_result.id
            raise
        finally:
            self.current_task_id = None

    def _requeue_unfinished(self) -> None:
        """Back on the database: put the task it interrupted straight back on the queue
        rather than leave it for the lease to expire."""
        if self._unfinished is None:
            return
        from django.tasks import TaskResultStatus
        from django.utils import timezone
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(id=self._unfinished, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, run_after=timezone.now()
        )
        self._unfinished = None

    def _keep(self) -> None:
        """Renew the running task's lease; sweep for expired ones on a timer."""
        backend = self.backend
        next_sweep = time.monotonic()
        while not self._stop.is_set():
            try:
                if (task_id := self.current_task_id) is not None:
                    backend.renew_lease(task_id)
                if time.monotonic() >= next_sweep:
                    next_sweep = time.monotonic() + backend.sweep_every
                    backend.requeue_expired()
            except DatabaseError as exc:
                self._keeper_down.warning(
                    "Worker %s could not renew its lease or sweep (%s)",
                    self.worker_id,
                    type(exc).__name__,
                )
                connections.close_all()  # this thread's own connections
            self._stop.wait(min(backend.heartbeat, backend.sweep_every))
        connections.close_all()


class Command(DatabaseWorkerCommand):
    help = (
        "Run a database background worker that renews a lease on its task, puts back tasks "
        "whose worker died, and survives the database restarting."
    )

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options,
    ) -> None:
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            from django.core.management.base import CommandError

            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        backend = task_backends[backend_name]
        worker = LeasedWorker(
            backend=backend if isinstance(backend, RetryingDatabaseBackend) else None,
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        if reload and not batch:
            import os

            from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader

            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
