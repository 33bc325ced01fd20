from django.core.management.base import BaseCommand, CommandError

from cpd.compliance.services import requirement_pack_load


class Command(BaseCommand):
    help = "Make a shipped rule pack (e.g. kcsie) the platform's default requirements."

    def add_arguments(self, parser):
        parser.add_argument("pack", help="Name of the rule pack, e.g. kcsie")

    def handle(self, *args, pack, **options):
        try:
            loaded = requirement_pack_load(name=pack)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for requirement in loaded:
            self.stdout.write(f"{requirement.name}: {requirement.topic}")
        self.stdout.write(self.style.SUCCESS(f"{len(loaded)} requirements in force."))
