from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cpd.compliance.reminders.services import reminders_send


class Command(BaseCommand):
    help = (
        "Send due-soon and overdue reminders and the DSLs' weekly digest. Run it daily from "
        "cron (or the reminders task); each reminder is sent at most once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", dest="on", help="Run as if today were this date (YYYY-MM-DD)."
        )

    def handle(self, *args, on: str | None = None, **options):
        try:
            day = date.fromisoformat(on) if on else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--date must look like 2026-09-01, not {on!r}.") from exc
        run = reminders_send(on=day)
        self.stdout.write(
            f"{run.reminders} reminder(s) and {run.digests} digest(s) sent for {day}."
        )
