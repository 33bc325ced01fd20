"""Run in a subprocess by test_task_queue.py, with TASKS_BACKEND=database on a fresh SQLite
file: migrates, issues a certificate, runs the queue with ``db_worker --batch``, and prints
what happened as JSON. The tasks below fail on purpose, to exercise the retries."""

import json
import os
import sys
from pathlib import Path

from django.tasks import task


@task
def fails_twice(counter: str) -> str:
    path = Path(counter)
    runs = int(path.read_text()) + 1 if path.exists() else 1
    path.write_text(str(runs))
    if runs <= 2:
        raise RuntimeError(f"failure {runs}")
    return f"succeeded on run {runs}"


@task
def always_fails() -> None:
    raise RuntimeError("broken for good")


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from certificates.models import Certificate
    from certificates.services import certificate_issue
    from courses.models import Enrolment
    from tests.factories import EnrolmentFactory, MembershipFactory

    call_command("migrate", verbosity=0)
    out = {}
    with transaction.atomic():
        now = timezone.now()
        enrolment = EnrolmentFactory(
            membership=MembershipFactory(),
            status=Enrolment.Status.COMPLETED,
            started_at=now,
            completed_at=now,
        )
        certificate = certificate_issue(enrolment=enrolment, score=90)
    certificate.refresh_from_db()
    out["pdf_after_commit"] = certificate.pdf.name
    out["queued"] = sorted(
        DBTaskResult.objects.filter(status="READY").values_list("task_path", flat=True)
    )
    counter = Path(os.environ["CPD_VAR_DIR"]) / "counter"
    flaky = fails_twice.enqueue(str(counter))
    broken = always_fails.enqueue()

    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

    certificate.refresh_from_db()
    with certificate.pdf.open("rb") as f:
        import hashlib

        out["pdf_hash_matches"] = hashlib.sha256(f.read()).hexdigest() == certificate.pdf_sha256
    out["certificates"] = Certificate.objects.count()
    flaky_row = DBTaskResult.objects.get(id=flaky.id)
    broken_row = DBTaskResult.objects.get(id=broken.id)
    out["flaky"] = [flaky_row.status, len(flaky_row.worker_ids), flaky_row.return_value]
    out["broken"] = [broken_row.status, len(broken_row.worker_ids)]
    out["statuses"] = sorted(DBTaskResult.objects.values_list("status", flat=True))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
