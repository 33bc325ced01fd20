"""Enqueueing background work so that none is lost between a commit and its task.

A task enqueued in ``transaction.on_commit`` is lost if the database goes away in the
moment between the commit and the enqueue (a restart, a failover): the certificate is
issued, its PDF or email never queued. When the tasks backend keeps its queue in the same
database (``enqueues_in_transaction``, as the standalone site's ``RetryingDatabaseBackend``
does), the task is enqueued inside the transaction instead: the queue row commits with
the data or not at all, and no worker sees it before the commit. Any other backend (the
immediate one, which would run the task before the commit) enqueues on commit as before.
"""

from django.db import transaction


def enqueue_after_commit(task, *args) -> None:
    """Have ``task(*args)`` run if, and only if, the current transaction commits."""
    if getattr(task.get_backend(), "enqueues_in_transaction", False):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))
