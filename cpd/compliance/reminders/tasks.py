"""Background work for the cpd app: thin tasks over services."""

from django.tasks import task
from django.utils import timezone


@task
def reminders_send_today() -> dict:
    from cpd.compliance.reminders.services import reminders_send

    run = reminders_send(on=timezone.localdate())
    return {"reminders": run.reminders, "digests": run.digests}
