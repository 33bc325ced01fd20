from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cpd.privacy.services import retention_apply


class Command(BaseCommand):
    help = (
        "Anonymise people whose last membership ended more than CPD_RETENTION_MONTHS ago. "
        "Their certificates still verify and the schools' figures do not change."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List, change nothing.")
        parser.add_argument("--months", type=int, help="Override CPD_RETENTION_MONTHS.")
        parser.add_argument("--date", dest="on", help="Run as if today were this date.")

    def handle(self, *args, dry_run: bool, months: int | None, on: str | None, **options):
        try:
            day = date.fromisoformat(on) if on else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--date must look like 2026-09-01, not {on!r}.") from exc
        run = retention_apply(on=day, months=months, dry_run=dry_run)
        verb = "Would anonymise" if dry_run else "Anonymised"
        self.stdout.write(
            f"{verb} {len(run.anonymised)} person(s) who left on or before {run.cutoff}."
        )
