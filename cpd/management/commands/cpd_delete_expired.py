from django.core.management.base import BaseCommand

from cpd.compliance.evidence.retention import evidence_packs_expired_delete
from cpd.people.imports.pending import staff_imports_expired_delete


class Command(BaseCommand):
    help = (
        "Delete files kept past their time: evidence packs whose link has expired "
        "(CPD_EXPORT_TTL_HOURS) and staff imports previewed but never applied (after a day). "
        "Run it hourly."
    )

    def handle(self, *args, **options):
        packs = evidence_packs_expired_delete()
        imports = staff_imports_expired_delete()
        self.stdout.write(
            f"Deleted {packs} expired evidence pack(s) and {imports} abandoned staff import(s)."
        )
