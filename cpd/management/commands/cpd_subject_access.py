from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cpd.models import School
from cpd.privacy.services import subject_access_export


class Command(BaseCommand):
    help = "Write everything held about one person (JSON and their files) to a ZIP file."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--school", help="Only what this school (slug) holds.")
        parser.add_argument("--output", required=True, help="Path of the ZIP file to write.")

    def handle(self, *args, email: str, school: str | None, output: str, **options):
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No one has the email address {email!r}.")
        place = None
        if school:
            place = School.objects.filter(slug=school).first()
            if place is None:
                raise CommandError(f"No school has the slug {school!r}.")
        data = subject_access_export(user=user, actor=None, school=place)
        Path(output).write_bytes(data)
        self.stdout.write(f"Wrote {len(data)} bytes to {output}.")
