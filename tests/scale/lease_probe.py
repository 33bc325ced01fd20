"""Run in a subprocess by test_task_queue.py, with TASKS_BACKEND=database on a fresh SQLite
file: the leases of running tasks, as the backend renews and sweeps them, and tasks
enqueued inside a transaction. Prints JSON."""

import json
from datetime import timedelta

from django.tasks import task


@task
def noop() -> None:
    return None


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.tasks import default_task_backend
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult, get_date_max

    call_command("migrate", verbosity=0)
    backend = default_task_backend
    long_ago = timezone.now() - timedelta(seconds=backend.lease + 5)

    def running(*, started, heartbeat) -> str:
        result = noop.enqueue()
        DBTaskResult.objects.filter(id=result.id).update(
            status="RUNNING", started_at=started, run_after=heartbeat, worker_ids=["dead"]
        )
        return str(result.id)

    dead = running(started=long_ago, heartbeat=long_ago)
    never_beat = running(started=long_ago, heartbeat=get_date_max())
    alive = running(started=long_ago, heartbeat=long_ago)
    just_claimed = running(started=timezone.now(), heartbeat=get_date_max())
    renewed = backend.renew_lease(alive)
    swept = backend.requeue_expired()
    from django.db import transaction

    from cpd.queue import enqueue_after_commit

    before = DBTaskResult.objects.count()
    try:
        with transaction.atomic():
            enqueue_after_commit(noop)
            queued_inside = DBTaskResult.objects.count() - before
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    after_rollback = DBTaskResult.objects.count() - before
    with transaction.atomic():
        enqueue_after_commit(noop)
    after_commit = DBTaskResult.objects.count() - before

    status = {str(k): v for k, v in DBTaskResult.objects.values_list("id", "status")}
    print(
        json.dumps(
            {
                "lease": backend.lease,
                "renewed": renewed,
                "swept": swept,
                "dead": status[dead],
                "never_beat": status[never_beat],
                "alive": status[alive],
                "just_claimed": status[just_claimed],
                "dead_is_due": DBTaskResult.objects.ready().filter(id=dead).exists(),
                "second_sweep": backend.requeue_expired(),
                "enqueued": [queued_inside, after_rollback, after_commit],
            }
        )
    )


if __name__ == "__main__":
    main()
