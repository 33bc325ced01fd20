"""``manage.py cpd_render_missing_pdfs``: render every certificate PDF whose task finally
failed (storage refused writes for longer than the retries last). Safe to run at any time
and as often as you like: a certificate that has its PDF is left alone."""

from django.core.management.base import BaseCommand

from certificates.selectors import certificates_missing_pdf
from certificates.services import certificate_pdf_repair


class Command(BaseCommand):
    help = "Render the PDFs of valid certificates that still have none."

    def handle(self, *args, **options) -> None:
        rendered = failed = 0
        for certificate in certificates_missing_pdf().select_related(
            "membership__school", "membership__user"
        ):
            if certificate_pdf_repair(certificate=certificate):
                rendered += 1
            else:
                failed += 1
        self.stdout.write(f"Rendered {rendered} missing PDF(s); {failed} could not be stored.")
        if failed:
            self.stderr.write("Some PDFs could not be stored: check the storage, then run again.")
            raise SystemExit(1)
